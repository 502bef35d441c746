"""Every loader on files the content team might add: each bad one named with its reason, the good ones parsed
with their structure (documents made here with pypdf and python-docx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from core.models import ParsedDocument
from ingest.loaders import CorpusMeta, UnreadableDocument, check_size, load_document
from tests.ingest.docs import with_structure, write_docx, write_pdf

NO_META = CorpusMeta({}, {})


def _reason(path: Path) -> str:
    with pytest.raises(UnreadableDocument) as raised:
        load_document(path, NO_META)
    return str(raised.value)


def test_a_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("Plain text saved with a .docx name.", encoding="utf-8")
    assert "not a Word document" in _reason(path)


def test_a_zip_without_a_document(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "no word/document.xml here")
    assert "not a readable Word document" in _reason(path)


def test_an_encrypted_pdf(tmp_path: Path) -> None:
    path = with_structure(write_pdf(tmp_path / "locked.pdf", ["Secret shared service plan."]), password="s3cret")
    assert "encrypted" in _reason(path)


def test_a_pdf_without_a_text_layer(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scan.pdf", [[], []])
    assert _reason(path).startswith("no text layer: a scan?")


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    assert "empty" in _reason(path)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 32)) * 40])
def test_binary_bytes_with_a_text_suffix(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(data)
    assert "binary" in _reason(path)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("cp1252", "Café budgets – “shared” services cost £40,000 in Châteauroux’s twin town."), ("latin-1", "Ærø and Crème council: £5 ½ share.")],
)
def test_non_utf8_text_is_decoded_not_replaced(tmp_path: Path, encoding: str, text: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    document = load_document(path, NO_META)
    assert document.paragraphs[0].text == text
    assert "\ufffd" not in document.paragraphs[0].text


def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    path.write_text("Shared services. " * 100, encoding="utf-8")
    with pytest.raises(UnreadableDocument, match=r"is 2 KB, over the 1,000 bytes limit \(LOCALITIES_MAX_DOCUMENT_MB\)"):
        check_size(path, max_bytes=1000)
    with pytest.raises(UnreadableDocument, match="is 1,700 bytes, over the 1,699-byte limit"):
        check_size(path, max_bytes=1699)
    check_size(path, max_bytes=10_000)  # under the limit: no complaint


HEADER = "Northwold Shared Services Annual Report"


@pytest.fixture(scope="module")
def structured_pdf(tmp_path_factory: pytest.TempPathFactory) -> ParsedDocument:
    """Five pages: a running header and a numbered footer on each, roman front matter, then pages 1-4."""
    body = [
        ["Contents", "Waste 1", "Legal 3"],
        ["Waste", "Collection", "Northwold and Southmere councils share one waste fleet of forty vehicles.", "Crews start from two depots."],
        ["Recycling", "Recycling rates rose from 41% to 48% in the first two years of the shared service."],
        ["Legal", "One legal team now advises four district councils on planning and licensing."],
        ["The legal team saved eleven posts in its first year and cut external counsel costs."],
    ]
    pages = [[HEADER, *lines, f"Page {n + 1} of 5"] for n, lines in enumerate(body)]
    path = write_pdf(tmp_path_factory.mktemp("pdf") / "northwold.pdf", pages)
    with_structure(
        path,
        outline=[("Waste", 0, 1), ("Collection", 1, 1), ("Recycling", 1, 2), ("Legal", 0, 3)],
        labels=[(0, 0, 1, "/r"), (1, 4, 1, "/D")],
        title="Northwold shared services",
    )
    return load_document(path, NO_META)


def test_a_pdf_loses_its_running_header_and_footer(structured_pdf: ParsedDocument) -> None:
    for paragraph in structured_pdf.paragraphs:
        assert HEADER not in paragraph.text and "of 5" not in paragraph.text


def test_a_pdf_outline_gives_chapters_and_sections(structured_pdf: ParsedDocument) -> None:
    place = {p.text: (p.chapter, p.section) for p in structured_pdf.paragraphs}
    assert place["Northwold and Southmere councils share one waste fleet of forty vehicles. Crews start from two depots."] == ("Waste", "Collection")
    assert place["Recycling rates rose from 41% to 48% in the first two years of the shared service."] == ("Waste", "Recycling")
    assert place["The legal team saved eleven posts in its first year and cut external counsel costs."] == ("Legal", None)
    assert not any(p.text in ("Waste", "Collection", "Recycling", "Legal") for p in structured_pdf.paragraphs)


def test_pdf_page_labels_give_the_printed_page(structured_pdf: ParsedDocument) -> None:
    pages = {p.text[:20]: p.page for p in structured_pdf.paragraphs}
    assert pages["Contents Waste 1 Leg"] is None  # roman front matter prints no number
    assert pages["Recycling rates rose"] == 2
    assert pages["The legal team saved"] == 4


def test_a_pdf_title_comes_from_its_metadata(structured_pdf: ParsedDocument) -> None:
    assert structured_pdf.title == "Northwold shared services"
    assert structured_pdf.case_studies[0].page is None or structured_pdf.case_studies[0].page == 1


def test_docx_heading_styles_give_sections_and_the_title(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("Greatwood loneliness programme", level=0)  # the Title style
    document.add_heading("Background", level=1)
    document.add_paragraph("Greatwood found one resident in five over 75 was lonely.")
    document.add_heading("What we did", level=2)
    document.add_paragraph("Volunteers made weekly calls to 300 residents.")
    path = tmp_path / "greatwood.docx"
    document.save(str(path))
    parsed = load_document(path, NO_META)
    assert parsed.title == "Greatwood loneliness programme"
    assert [(p.section, p.text) for p in parsed.paragraphs] == [
        ("Background", "Greatwood found one resident in five over 75 was lonely."),
        ("What we did", "Volunteers made weekly calls to 300 residents."),
    ]


def test_markdown_headings_give_sections_and_the_first_heading_the_title(tmp_path: Path) -> None:
    path = tmp_path / "saltmarsh.md"
    path.write_text("# Saltmarsh coastal partnership\n\nIntro text here.\n\n## Funding\n\nThe Environment Agency paid half.\n", encoding="utf-8")
    parsed = load_document(path, NO_META)
    assert parsed.title == "Saltmarsh coastal partnership"
    assert [(p.section, p.text) for p in parsed.paragraphs] == [(None, "Intro text here."), ("Funding", "The Environment Agency paid half.")]


def test_word_documents_written_by_the_helper_still_load(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "northwold.docx", "Northwold leisure trust", ["Leisure centres moved into a trust."])
    assert load_document(path, NO_META).title == "Northwold leisure trust"
