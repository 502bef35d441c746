"""Read one corpus file (.txt, .md, .pdf, .docx) into a parsed document; unreadable files raise with a reason."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from core.models import CaseStudy, Paragraph, ParsedDocument
from core.text import collapse_ws, slugify
from ingest.layout import LayoutMeta, Overrides, parse_layout_text

SUPPORTED = (".txt", ".md", ".pdf", ".docx")
ADDED_CHAPTER = "Additional case studies"


class UnreadableDocument(Exception):
    """A corpus file that cannot be turned into text; the message says why."""


@dataclass(frozen=True)
class CorpusMeta:
    """Per-file metadata and reviewed overrides read from the corpus folder (both optional)."""

    files: dict[str, dict[str, object]]
    overrides: dict[str, dict[str, object]]

    @classmethod
    def read(cls, corpus_dir: Path) -> CorpusMeta:
        files: dict[str, dict[str, object]] = {}
        overrides: dict[str, dict[str, object]] = {}
        for path in sorted(corpus_dir.glob("*.meta.json")):
            files.update(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(corpus_dir.glob("*.overrides.json")):
            overrides.update(json.loads(path.read_text(encoding="utf-8")))
        return cls(files, overrides)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The documents in a corpus folder, in a stable order (metadata files are not documents)."""
    return sorted(
        p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED and not p.name.startswith(".")
    )


def load_document(path: Path, meta: CorpusMeta) -> ParsedDocument:
    """Parse one file; raise UnreadableDocument with a reason a person can act on."""
    file_meta = meta.files.get(path.name, {})
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise UnreadableDocument("the file is empty")
    if suffix == ".pdf":
        return _pdf(path, file_meta)
    if suffix == ".docx":
        return _docx(path, file_meta)
    text = _read_text(path)
    if file_meta.get("layout") == "pdf-text":
        layout = LayoutMeta(
            title=str(file_meta.get("title", path.stem)),
            chapters=list(file_meta.get("chapters", [])),  # type: ignore[call-overload]
            chapter_opener_marker=str(file_meta.get("chapter_opener_marker", "")),
            front_matter_title=str(file_meta.get("front_matter_title", "Introduction")),
        )
        raw = meta.overrides.get(path.name, {})
        overrides = Overrides(
            partnership_aliases=dict(raw.get("partnership_aliases", {})),  # type: ignore[call-overload]
            title_aliases=dict(raw.get("title_aliases", {})),  # type: ignore[call-overload]
            page_anchors=dict(raw.get("page_anchors", {})),  # type: ignore[call-overload]
        )
        return parse_layout_text(text, path.name, layout, overrides)
    return _plain(text, path.name, file_meta, markdown=suffix == ".md")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("the file is binary, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not text.strip():
        raise UnreadableDocument("the file has no text")
    return text


def _title(explicit: object, first_heading: str | None, stem: str) -> str:
    return str(explicit or first_heading or stem.replace("_", " ").replace("-", " ").strip().capitalize())


def _plain(text: str, source: str, file_meta: dict[str, object], markdown: bool) -> ParsedDocument:
    """A plain text or Markdown case study: blank-line paragraphs, '#' headings as sections."""
    paragraphs: list[tuple[str, int, int, str | None]] = []
    section: str | None = None
    first_heading: str | None = None
    for match in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):
        block = match.group(0)
        stripped = block.strip()
        if not stripped:
            continue
        heading = re.match(r"^#{1,6}\s+(.*)$", stripped) if markdown else None
        if heading and "\n" not in stripped:
            section = collapse_ws(heading.group(1))
            first_heading = first_heading or section
            continue
        start = match.start() + (len(block) - len(block.lstrip()))
        paragraphs.append((collapse_ws(stripped), start, match.start() + len(block.rstrip()), section))
    title = _title(file_meta.get("title"), first_heading, Path(source).stem)
    return _as_case_study(source, title, [(t, s, e, sec, None) for t, s, e, sec in paragraphs])


def _as_case_study(
    source: str, title: str, items: list[tuple[str, int, int, str | None, int | None]]
) -> ParsedDocument:
    """New documents dropped into the corpus are case studies in their own right."""
    paragraphs = [
        Paragraph(text=t, start=s, end=e, page=page, chapter=ADDED_CHAPTER, section=sec if sec != title else None, case_study=title)
        for t, s, e, sec, page in items
        if t
    ]
    if not paragraphs:
        raise UnreadableDocument("no readable text was found in it")
    first_page = next((p.page for p in paragraphs if p.page is not None), None)
    case = CaseStudy(slugify(title), title, ADDED_CHAPTER, first_page, source, None)
    return ParsedDocument(source=source, title=title, paragraphs=paragraphs, case_studies=[case])


def _pdf(path: Path, file_meta: dict[str, object]) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as exc:
        raise UnreadableDocument(f"it is not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    # Offsets refer to the text extracted from the PDF, page after page, as it is stored for the reader.
    items: list[tuple[str, int, int, str | None, int | None]] = []
    offset = 0
    first_line: str | None = None
    for number, page_text in enumerate(pages, start=1):
        for match in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", page_text):
            text = collapse_ws(match.group(0))
            if text:
                first_line = first_line or text.split(". ")[0][:120]
                items.append((text, offset + match.start(), offset + match.end(), None, number))
        offset += len(page_text) + 1
    title = _title(file_meta.get("title") or info_title, None, path.stem)
    return _as_case_study(path.name, title, items)


def _docx(path: Path, file_meta: dict[str, object]) -> ParsedDocument:
    import zipfile

    from docx import Document

    try:
        document = Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(f"it is not a readable Word document ({exc.__class__.__name__})") from exc
    items: list[tuple[str, int, int, str | None, int | None]] = []
    section: str | None = None
    first_heading: str | None = None
    offset = 0
    for paragraph in document.paragraphs:
        text = collapse_ws(paragraph.text)
        length = len(paragraph.text) + 1
        if text and (paragraph.style is not None and str(paragraph.style.name).lower().startswith(("heading", "title"))):
            section = text
            first_heading = first_heading or text
        elif text:
            items.append((text, offset, offset + len(paragraph.text), section, None))
        offset += length
    title = _title(file_meta.get("title") or document.core_properties.title, first_heading, path.stem)
    return _as_case_study(path.name, title, items)
