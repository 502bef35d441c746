"""The HTTP API fuzzed from its own OpenAPI schema (schemathesis), in process, over a real index and model.

Every documented operation gets schema-valid and schema-invalid requests; each response must not be a 5xx,
must use a documented status code and content type, and must match the documented body schema.

schemathesis' `from_fixture` loader does not run under pytest 9 (it sets `Function._nodeid`, which pytest 9
removed), so the operations are listed at collection from the app's schema and each one is driven by
hypothesis through `APIOperation.as_strategy`; the checks are schemathesis' own (`call_and_validate`).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assistant.http.app import create_app
from assistant.service import Assistant, load_synonyms
from assistant.settings import Settings
from stores.files.read import FileStore
from tests.conftest import CORPUS_DIR

ADMIN = {"Authorization": "Bearer test-admin-token"}
EXAMPLES = 30  # per operation and generation mode: under a minute for the whole API on 2 cores
CHANGES = {("POST", "/admin/reindex"), ("POST", "/documents"), ("DELETE", "/documents/{name}"), ("POST", "/admin/evaluation")}
OPERATIONS = [
    (method.upper(), path) for path, methods in create_app(Settings()).openapi()["paths"].items() for method in methods
]


@pytest.fixture(scope="module")
def api_schema(settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> object:
    """The real app over a copy of the session index, so the admin endpoints cannot touch the session's."""
    import shutil

    index = tmp_path_factory.mktemp("fuzz") / "index"
    shutil.copytree(settings.index_dir, index, symlinks=True)
    own = Assistant(FileStore.open(index), assistant.retriever.encode, load_synonyms(CORPUS_DIR), assistant.params)
    fuzz_settings = settings.model_copy(
        update={"index_dir": index, "feedback_db": index.parent / "feedback.db", "index_poll_s": 0}
    )
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(fuzz_settings, own))


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_its_schema_under_fuzzing(
    api_schema: schemathesis.BaseSchema, method: str, path: str
) -> None:
    operation = api_schema[path][method]
    cases = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )
    # What changes the corpus or starts work (a re-index, an upload or removal, an evaluation) is tested for real
    # in test_reindex and tests/assistant/http/test_documents.py: here it is fuzzed without the token (401/403 only).
    headers = None if (method, path) in CHANGES else ADMIN

    @given(case=cases)
    @settings(
        max_examples=2 * EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        # Filter values name chapters and case studies of the index, which no schema can list: a made-up one is
        # a 422 naming the valid values, by design. Every other schema-valid request must be accepted.
        unknown_filter = response.status_code == 422 and "valid_values" in response.json()
        excluded = [schemathesis.checks.positive_data_acceptance] if unknown_filter else None
        case.validate_response(response, headers=headers, excluded_checks=excluded)

    fuzz()
