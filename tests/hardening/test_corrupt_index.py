"""A damaged index is refused with one readable line, never served as an empty or wrong one.

Each case damages one file of a copy of the real index the way a full disk, a bad copy or a stray edit would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.http.app import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from core.errors import IndexCorrupt
from localities.cli import app as cli
from stores.files import schema as index_store
from stores.files.read import open_build
from tests.processes import localities


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _garble(path: Path, at: float = 0.5, size: int = 64) -> None:
    """Overwrite `size` bytes at a fraction of the file with bytes no encoder would write."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    data[start : start + size] = bytes((0xFF - i) % 256 for i in range(size))
    path.write_bytes(bytes(data))


def _drop_first_line(path: Path) -> None:
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "dense.faiss truncated": lambda b: _truncate(b / "dense.faiss"),
    "dense.faiss emptied": lambda b: _truncate(b / "dense.faiss", 0),
    "dense.faiss vectors garbled": lambda b: _garble(b / "dense.faiss"),
    "chunks.jsonl garbled": lambda b: _garble(b / "chunks.jsonl"),
    "chunks.jsonl one passage short": lambda b: _drop_first_line(b / "chunks.jsonl"),
    "chunks.jsonl emptied": lambda b: _truncate(b / "chunks.jsonl", 0),
    "vectors.npy deleted": lambda b: (b / "vectors.npy").unlink(),
    "vectors.npy garbled": lambda b: _garble(b / "vectors.npy", 0.7),
    "bm25 vocabulary deleted": lambda b: (b / "bm25" / "vocab.index.json").unlink(),
    "bm25 scores garbled": lambda b: _garble(b / "bm25" / "data.csc.index.npy", 0.6, 16),
    "bm25 vocabulary garbled": lambda b: _garble(b / "bm25" / "vocab.index.json", 0.5, 8),
    "embed_keys.json deleted": lambda b: (b / "embed_keys.json").unlink(),
    "sentences.jsonl garbled": lambda b: _garble(b / "sentences.jsonl"),
    "case_studies.json garbled": lambda b: _garble(b / "case_studies.json"),
    "glossary.json deleted": lambda b: (b / "glossary.json").unlink(),
    "manifest.json deleted": lambda b: (b / "manifest.json").unlink(),
    "manifest.json not a manifest": lambda b: (b / "manifest.json").write_text("[]"),
    "build folder deleted": shutil.rmtree,
}


def _damage(index: Path, how: str) -> Path:
    build = index_store.current_build_path(index)
    assert build is not None
    DAMAGE[how](build)
    return build


def _is_one_readable_line(message: str, index: Path) -> bool:
    return (
        "\n" not in message and str(index) in message and "localities ingest --force" in message and len(message) < 600
    )


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_index_is_refused_everywhere_with_one_line(index_copy: Path, settings: Settings, how: str) -> None:
    _damage(index_copy, how)

    with pytest.raises(IndexCorrupt) as raised:
        open_build(index_copy)
    message = str(raised.value)
    assert _is_one_readable_line(message, index_copy), message

    # `localities serve`: the message alone, exit code 1, before any server starts.
    result = CliRunner().invoke(cli, ["serve", "--index", str(index_copy), "--port", "9"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [message]

    api_settings = settings.model_copy(update={"index_dir": index_copy})
    # Behind an app whose server skipped startup (mounted, `--lifespan off`): a 503 naming the damage.
    client = TestClient(create_app(api_settings))
    for response in (client.post("/search", json={"query": "shared services"}), client.get("/health")):
        assert response.status_code == 503 and response.json()["detail"] == message
    # With startup: it fails with that one line (uvicorn then exits non-zero).
    with pytest.raises(IndexCorrupt), TestClient(create_app(api_settings)):
        pass


def test_serve_exits_non_zero_with_one_line_on_stderr(index_copy: Path, tmp_path: Path) -> None:
    _damage(index_copy, "dense.faiss truncated")
    env = {**os.environ, "LOCALITIES_DATA_DIR": str(tmp_path / "data")}
    command = [*localities(), "serve", "--index", str(index_copy), "--host", "127.0.0.1", "--port", "9"]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"The index at '{index_copy / 'builds'}") and "damaged" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_a_damaged_new_build_is_not_swapped_in_and_health_says_so(
    index_copy: Path, settings: Settings, tmp_path: Path, assistant_on: Callable[[Path], Assistant]
) -> None:
    """A running service keeps answering from its last good build, and /health reports the bad one."""
    api_settings = settings.model_copy(update={"index_dir": index_copy, "index_poll_s": 0.1, "data_dir": tmp_path})
    with TestClient(create_app(api_settings, assistant_on(index_copy))) as client:
        before = client.get("/health").json()
        good = index_store.current_build_path(index_copy)
        assert good is not None and before["build"] == good.name
        # A new build published through the symlink, as `localities ingest` does, but damaged.
        bad = good.with_name(good.name + "-bad")
        shutil.copytree(good, bad)
        _truncate(bad / "dense.faiss")
        (index_copy / "next").symlink_to(bad.relative_to(index_copy))
        os.replace(index_copy / "next", index_copy / index_store.CURRENT)

        deadline = time.monotonic() + 20
        while (health := client.get("/health").json())["status"] == "ok" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert health["status"] == "degraded" and health["build"] == good.name
        assert str(bad) in health["index_error"] and "damaged" in health["index_error"]
        passages = client.post("/search", json={"query": "shared services", "k": 3}).json()["passages"]
        assert len(passages) == 3

        # The operator points `current` back at the good build: healthy again.
        (index_copy / "next").symlink_to(good.relative_to(index_copy))
        os.replace(index_copy / "next", index_copy / index_store.CURRENT)
        deadline = time.monotonic() + 20
        while (health := client.get("/health").json())["status"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert health["status"] == "ok" and health["index_error"] is None
