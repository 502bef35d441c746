"""Two real PDF manuals no one here wrote (tests/ingest/data/SOURCES.md), ingested as the content team would add
them: every numbered page keeps its printed number, the running headers are gone, and the outline's chapters
and sections reach the passages. What is expected is read from each PDF with pypdf, not from our parser."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import Destination

from core.models import Passage
from ingest.chunk import chunk_paragraphs
from ingest.loaders import CorpusMeta, load_document

DATA = Path(__file__).parent / "data"
MANUALS = ["libtasn1.pdf", "shared-mime-info-spec.pdf"]


@pytest.fixture(scope="module", params=MANUALS)
def manual(request: pytest.FixtureRequest) -> tuple[PdfReader, list[Passage]]:
    path = DATA / request.param
    document = load_document(path, CorpusMeta({}, {}))
    return PdfReader(path), chunk_paragraphs(document.paragraphs, document.source)


def _running_headers(reader: PdfReader) -> set[str]:
    """Lines printed at the top of two or more pages once their numbers are masked ('Chapter 2: … 4')."""
    tops = Counter(
        re.sub(r"\d+", "#", lines[0].strip())
        for page in reader.pages
        if (lines := (page.extract_text() or "").splitlines())
    )
    return {top for top, count in tops.items() if count >= 2 and re.search(r"[A-Za-z]{3}", top)}


def _outline(reader: PdfReader) -> dict[str, set[str]]:
    """Each top-level outline entry with the titles of the entries under it."""
    chapters: dict[str, set[str]] = {}
    last = ""
    for item in reader.outline:
        if isinstance(item, Destination):
            last = item.title
            chapters[last] = set()
        else:
            chapters[last] |= {child.title for child in item if isinstance(child, Destination)}
    return chapters


def test_every_numbered_page_keeps_its_printed_number(manual: tuple[PdfReader, list[Passage]]) -> None:
    reader, passages = manual
    numbered = {int(label) for label in reader.page_labels if label.isdigit()}
    pages = [p.page for p in passages if p.page is not None]
    assert set(pages) == numbered
    assert pages == sorted(pages)  # in reading order


def test_running_headers_are_gone(manual: tuple[PdfReader, list[Passage]]) -> None:
    reader, passages = manual
    headers = _running_headers(reader)
    assert headers, "the manual prints a running header"
    for passage in passages:
        for line in passage.text.splitlines():
            assert re.sub(r"\d+", "#", line.strip()) not in headers, (passage.page, line)


def test_the_outline_gives_each_passage_its_chapter_and_section(manual: tuple[PdfReader, list[Passage]]) -> None:
    reader, passages = manual
    outline = _outline(reader)
    in_chapters = [p for p in passages if p.chapter in outline]
    assert len(in_chapters) >= 0.9 * len(passages)  # the rest is front matter before the first chapter
    for passage in in_chapters:
        assert passage.section is None or passage.section in outline[passage.chapter], passage.section
    sections = {p.section for p in in_chapters if p.section}
    assert len(sections) >= 0.65 * sum(len(children) for children in outline.values())  # 10 of 14; 14 of 21
