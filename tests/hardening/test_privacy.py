"""Privacy: no network by default, no questions in logs unless asked for, expired feedback gone.

The network check runs the real CLI in subprocesses under an audit hook (sys.addaudithook, installed by a
sitecustomize module) that records every socket connection and name lookup the process attempts.
The hub's offline switches are removed from their environment: staying offline must be the default.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.feedback import FeedbackStore
from assistant.http.app import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from tests.processes import localities

AUDIT_HOOK = """
import json, os, socket, sys

_LOG = os.environ["NETWORK_AUDIT_LOG"]

def _record(kind, detail):
    with open(_LOG, "a", encoding="utf-8") as out:
        out.write(json.dumps({"pid": os.getpid(), "kind": kind, "detail": detail}) + "\\n")

def _hook(event, args):
    if event == "socket.connect":
        sock, address = args
        host = address[0] if isinstance(address, tuple) else None
        _record("connect", {"family": int(sock.family), "host": host, "address": repr(address)})
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        _record("lookup", {"host": repr(args[0])})

_record("installed", {"argv": sys.argv})
sys.addaudithook(_hook)
"""
SECRET = "Did Craven District Council's loneliness project help Mrs Example at 12 Acacia Avenue?"


def _is_loopback(entry: dict[str, object]) -> bool:
    detail = entry["detail"]
    assert isinstance(detail, dict)
    if entry["kind"] == "lookup":
        return detail["host"].strip("'\"b") in ("localhost", "127.0.0.1", "::1")  # type: ignore[union-attr]
    import socket

    if detail["family"] == socket.AF_UNIX:
        return True
    return detail["host"] is not None and ipaddress.ip_address(str(detail["host"])).is_loopback


def test_ingest_and_ask_contact_nothing_but_loopback(index_copy: Path, corpus_copy: Path, tmp_path: Path) -> None:
    (corpus_copy / "privacy-check.md").write_text(
        "# Northwold shared legal team\n\nNorthwold and Southmere councils share one legal team of twelve people.\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    audit = tmp_path / "network.jsonl"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
    }
    env |= {
        "PYTHONPATH": os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "NETWORK_AUDIT_LOG": str(audit),
        "LOCALITIES_INDEX_DIR": str(index_copy),
        "LOCALITIES_CORPUS_DIR": str(corpus_copy),
        "LOCALITIES_DATA_DIR": str(tmp_path / "data"),
    }
    commands = [
        ["ingest", "--force"],  # a new document, so the embedding model really loads and runs
        ["ask", "How many people are in the Northwold shared legal team?"],
    ]
    for args in commands:
        command = [*localities(), *args]
        done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
    assert "Northwold" in done.stdout  # the ask answered from the new build

    entries = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    installed = [e for e in entries if e["kind"] == "installed"]
    assert len(installed) >= len(commands)  # the hook ran in every process
    outside = [e for e in entries if e["kind"] != "installed" and not _is_loopback(e)]
    assert outside == []


@pytest.mark.parametrize("log_questions", [False, True])
def test_no_logger_sees_the_question_unless_enabled(
    settings: Settings, assistant: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture, log_questions: bool
) -> None:
    """Every logger at DEBUG, through answers, abstentions, validation errors and rate limiting."""
    app_settings = settings.model_copy(
        update={"log_questions": log_questions, "rate_limit_per_minute": 4, "feedback_db": tmp_path / "fb.db"}
    )
    with caplog.at_level(logging.DEBUG), TestClient(create_app(app_settings, assistant)) as client:
        assert client.post("/ask", json={"question": SECRET}).status_code == 200
        assert client.post("/search", json={"query": SECRET}).status_code == 200
        assert client.post("/search", json={"query": SECRET, "k": 0}).status_code == 422
        bad_history = [{"role": "x", "content": SECRET}]
        assert client.post("/ask", json={"question": SECRET, "history": bad_history}).status_code == 422
        assert client.post("/ask", json={"question": SECRET}).status_code == 429  # bad requests count too
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "answered=" in logged
    assert ("Acacia Avenue" in logged) is log_questions


def test_a_running_service_never_lists_expired_feedback_and_deletes_it(settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    other_worker = FeedbackStore(url)
    store = FeedbackStore(url, retention_days=30)
    # Written after the service started (another worker, a clock change…): past retention already.
    other_worker.add(question="stale", answer="a", rating="up", created_at=datetime.now(UTC) - timedelta(days=31))
    assert [e.question for e in store.entries()] == []
    store.add(question="fresh", answer="a", rating="down")  # writing sweeps expired rows (at most hourly)
    assert [e.question for e in other_worker.entries()] == ["fresh"]
    other_worker.close()
    store.close()
