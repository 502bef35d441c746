"""Inputs that crashed the API (500) or got an undocumented answer before hardening, kept as regressions.

The fuzzer generates neither lone surrogates nor megabyte bodies, so these are sent by hand, as raw bytes:
a JSON client may escape anything (`"\\ud800"`), whatever its own language allows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.http.app import MAX_BODY_BYTES, create_app
from assistant.service import Assistant
from assistant.settings import Settings

ADMIN = {"Authorization": "Bearer test-admin-token"}
JSON = {"content-type": "application/json"}
FEEDBACK = {"question": "What is an LEP?", "answer": "A partnership. [1]", "rating": "up"}


@pytest.fixture()
def client(settings: Settings, assistant: Assistant, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"feedback_db": tmp_path / "feedback.db"}), assistant)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _post(client: TestClient, path: str, body: object) -> tuple[int, dict[str, object]]:
    """POST `body` as JSON with every non-ASCII character escaped, so lone surrogates travel as `\\udXXX`."""
    response = client.post(path, content=json.dumps(body), headers=JSON)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/search", {"query": "\ud800 shared services"}, "query"),
        ("/ask", {"question": "What is an LEP?\udfff"}, "question"),
        ("/search", {"query": "LEP", "history": [{"role": "user", "content": "\udc00"}]}, "history[0].content"),
        ("/search", {"query": "LEP", "filters": {"chapter": "\ud83d"}}, "filters.chapter"),
        ("/feedback", {**FEEDBACK, "comment": "\ud800"}, "comment"),
        ("/feedback", {**FEEDBACK, "passage_ids": ["p1", "\ud800"]}, "passage_ids"),
        ("/ask", {"question": "What is\x00 an LEP?"}, "question"),
        ("/feedback", {**FEEDBACK, "answer": "A\x00B"}, "answer"),
    ],
)
def test_text_no_part_can_store_or_encode_is_a_422_naming_the_field(
    client: TestClient, path: str, body: dict[str, object], field: str
) -> None:
    """Lone surrogates crashed the tokenizer and SQLite (500), and a stored one broke the feedback export."""
    status, answer = _post(client, path, body)
    assert status == 422 and answer["errors"][0]["field"] == field  # type: ignore[index]
    assert "NUL" in str(answer["detail"]) or "not valid Unicode text" in str(answer["detail"])
    assert client.get("/feedback", headers=ADMIN).status_code == 200
    assert client.get("/feedback.csv", headers=ADMIN).status_code == 200


@pytest.mark.parametrize("blank", ["", "   ", "\n\t", "\ufeff", "\x1c\x1d\x1e\x1f", "\u2028\u3000\xa0"])
def test_blank_questions_are_empty_by_the_schema_s_own_definition(client: TestClient, blank: str) -> None:
    for path, key in (("/ask", "question"), ("/search", "query")):
        status, answer = _post(client, path, {key: blank})
        assert status == 422 and answer["detail"] == f"{key} must not be empty"


def test_the_length_limit_is_on_what_was_sent(client: TestClient) -> None:
    """The schema's maxLength counts every character, padding included, and so does the check."""
    status, answer = _post(client, "/ask", {"question": " " + "a" * 2000})
    assert status == 422 and answer["detail"] == "question must be at most 2,000 characters (got 2,001)"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"query": "caf\xe9"}', "it is not UTF-8 text"),  # Latin-1
        (b"\xff\xfe{", "it is not UTF-8 text"),
        (b"[" * 100_000, "it is nested too deeply"),
        (b'{"query": ' * 5_000, "it is nested too deeply"),
    ],
)
def test_unparsable_bodies_are_a_422_like_any_malformed_json(client: TestClient, raw: bytes, reason: str) -> None:
    """FastAPI answered these with an undocumented, unexplained '400 There was an error parsing the body'."""
    response = client.post("/search", content=raw, headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == f"The request body is not valid JSON ({reason})."


def test_bodies_over_the_limit_are_refused_with_json_whether_declared_or_streamed(client: TestClient) -> None:
    big = b'{"query": "' + b"a" * MAX_BODY_BYTES + b'"}'

    def streamed() -> Iterator[bytes]:
        for start in range(0, len(big), 1 << 20):
            yield big[start : start + (1 << 20)]

    for content in (big, streamed()):
        response = client.post("/search", content=content, headers=JSON)
        assert response.status_code == 413 and response.headers["content-type"] == "application/json"
        assert response.json()["detail"] == f"The request body is too large: the limit is {MAX_BODY_BYTES:,} bytes."


@pytest.mark.parametrize("offset", [1_000_000_001, 2**63, 10**30])
def test_paging_past_what_sqlite_can_count_is_a_422(client: TestClient, offset: int) -> None:
    """An offset past SQLite's 64-bit integers was an OverflowError (500)."""
    response = client.get("/feedback", params={"offset": offset}, headers=ADMIN)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "offset"


def test_the_largest_legal_request_is_answered_quickly(client: TestClient) -> None:
    """50 history turns of 20,000 characters: accepted, and no slower than a plain question to speak of."""
    history = [{"role": ("user", "assistant")[i % 2], "content": "shared services " * 1250} for i in range(50)]
    status, answer = _post(client, "/ask", {"question": "And how much did they save?", "history": history})
    assert status == 200 and "answer" in answer
