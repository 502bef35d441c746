"""Read one corpus file (.txt, .md, .pdf, .docx) into a parsed document; unreadable files raise with a reason.

Every failure a damaged, empty, encrypted, scanned, binary or over-large file can cause becomes an
`UnreadableDocument` naming why, so ingest skips that file and goes on with the rest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.models import CaseStudy, Paragraph, ParsedDocument
from core.text import collapse_ws, readable_size, slugify
from ingest.layout import LayoutMeta, Overrides, parse_layout_text
from ingest.paged import OutlineCursor, OutlineEntry, furniture, printed_page

if TYPE_CHECKING:
    from pypdf import PdfReader

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


DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def check_size(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse an empty file, or one too large to parse and hold in memory, before reading it."""
    size = path.stat().st_size
    if size == 0:
        raise UnreadableDocument("the file is empty")
    if size > max_bytes:
        shown, limit = readable_size(size), readable_size(max_bytes)
        if shown == limit:  # '64 KB, over the 64 KB limit' would read as no reason at all
            shown, limit = f"{size:,} bytes", f"{max_bytes:,}-byte"
        raise UnreadableDocument(f"the file is {shown}, over the {limit} limit (LOCALITIES_MAX_DOCUMENT_MB)")


def load_document(path: Path, meta: CorpusMeta) -> ParsedDocument:
    """Parse one file; raise UnreadableDocument with a reason a person can act on."""
    check_size(path, max_bytes=1 << 62)  # the size limit is the caller's (ingest's setting); an empty file never parses
    try:
        return _load(path, meta)
    except UnreadableDocument:
        raise
    except Exception as exc:  # a third-party parser's own failure on a damaged file: one file, not the ingest
        raise UnreadableDocument(f"it could not be parsed ({exc.__class__.__name__}: {exc})") from exc


def _load(path: Path, meta: CorpusMeta) -> ParsedDocument:
    file_meta = meta.files.get(path.name, {})
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf(path, file_meta)
    if suffix == ".docx":
        return _docx(path, file_meta)
    text = decode_text(path.read_bytes())
    if file_meta.get("layout") == "pdf-text":
        layout = LayoutMeta(
            title=str(file_meta.get("title", path.stem)),
            chapters=list(file_meta.get("chapters", [])),  # type: ignore[call-overload]
            chapter_opener_marker=str(file_meta.get("chapter_opener_marker", "")),
            front_matter_title=str(file_meta.get("front_matter_title", "Introduction")),
            publishers=tuple(str(name) for name in file_meta.get("publishers", [])),  # type: ignore[attr-defined]
        )
        raw = meta.overrides.get(path.name, {})
        overrides = Overrides(
            partnership_aliases=dict(raw.get("partnership_aliases", {})),  # type: ignore[call-overload]
            title_aliases=dict(raw.get("title_aliases", {})),  # type: ignore[call-overload]
            page_anchors=dict(raw.get("page_anchors", {})),  # type: ignore[call-overload]
            case_study_openings=dict(raw.get("case_study_openings", {})),  # type: ignore[call-overload]
        )
        return parse_layout_text(text, path.name, layout, overrides)
    return _plain(text, path.name, file_meta, markdown=suffix == ".md")


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Control characters other than tab, line feed, form feed and carriage return do not occur in text files.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """A text file's characters: UTF-8 (or a BOM's encoding), else Windows-1252, else Latin-1; never U+FFFD.

    Windows-1252 is what Word and older editors save; the five bytes it leaves undefined make Latin-1 the
    last resort, which decodes any byte. Binary data (an image renamed .txt) is refused, not decoded.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:4096]:
        raise UnreadableDocument("the file is binary, not text")
    text = None
    for candidate in (encoding or "utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(candidate)
            break
        except UnicodeDecodeError:
            continue
    assert text is not None  # latin-1 decodes every byte
    sample = text[:4096]
    if sample and len(_CONTROL.findall(sample)) > 0.01 * len(sample):
        raise UnreadableDocument("the file is binary, not text")
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
    return _as_case_study(source, title, [(t, s, e, sec, None, ADDED_CHAPTER) for t, s, e, sec in paragraphs])


Item = tuple[str, int, int, str | None, int | None, str]  # text, start, end, section, page, chapter


def _as_case_study(source: str, title: str, items: list[Item]) -> ParsedDocument:
    """New documents dropped into the corpus are case studies in their own right."""
    paragraphs = [
        Paragraph(text=t, start=s, end=e, page=page, chapter=chapter, section=sec if sec != title else None, case_study=title)
        for t, s, e, sec, page, chapter in items
        if t
    ]
    if not paragraphs:
        raise UnreadableDocument("no readable text was found in it")
    first_page = next((p.page for p in paragraphs if p.page is not None), None)
    case = CaseStudy(slugify(title), title, paragraphs[0].chapter, first_page, source, None)
    return ParsedDocument(source=source, title=title, paragraphs=paragraphs, case_studies=[case])


def _open_pdf(path: Path) -> PdfReader:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("it is encrypted (password-protected): save a copy without a password")
        _ = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as exc:
        raise UnreadableDocument(f"it is not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    return reader


def _outline(reader: PdfReader) -> list[OutlineEntry]:
    """The PDF's bookmarks with the page each opens; a damaged outline is ignored, not fatal."""
    entries: list[OutlineEntry] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            page = reader.get_destination_page_number(item)
            title = collapse_ws(str(getattr(item, "title", "") or ""))
            if title and page is not None and page >= 0:
                entries.append(OutlineEntry(title, depth, page))

    try:
        walk(list(reader.outline), 0)
    except Exception:  # noqa: BLE001 - an outline pypdf cannot follow leaves the document without sections
        return []
    return entries


def _pdf(path: Path, file_meta: dict[str, object]) -> ParsedDocument:
    reader = _open_pdf(path)
    pages = [(page.extract_text() or "").replace("\r\n", "\n").split("\n") for page in reader.pages]
    if not any(line.strip() for lines in pages for line in lines):
        raise UnreadableDocument("no text layer: a scan? (run it through OCR first)")
    labels = list(reader.page_labels)
    info_title = (reader.metadata.title if reader.metadata else None) or None
    outline = _outline(reader)
    cursor = OutlineCursor(outline)
    dropped = furniture(pages, labels, [entry.title for entry in outline])
    # Offsets refer to the text extracted from the PDF, page after page, as it is stored for the reader.
    items: list[Item] = []
    offset = 0
    for index, lines in enumerate(pages):
        page = printed_page(labels[index]) if index < len(labels) else index + 1
        cursor.start_page(index, [line for i, line in enumerate(lines) if i not in dropped[index]])
        block: list[tuple[str, int]] = []  # the paragraph being read: (line, offset) pairs
        for i, line in enumerate([*lines, ""]):  # a blank line at the end closes the page's last paragraph
            boundary = i in dropped[index] or not line.strip() or cursor.heading(line)
            if boundary and block:
                items.append(_pdf_item(block, cursor, page))
                block = []
            if not boundary:
                block.append((line, offset))
            offset += len(line) + 1 if i < len(lines) else 0
    title = _title(file_meta.get("title") or info_title, None, path.stem)
    return _as_case_study(path.name, title, items)


def _pdf_item(block: list[tuple[str, int]], cursor: OutlineCursor, page: int | None) -> Item:
    text = collapse_ws(" ".join(line for line, _ in block))
    place = cursor.place
    end = block[-1][1] + len(block[-1][0])
    return (text, block[0][1], end, place.section, page, place.chapter or ADDED_CHAPTER)


def _docx(path: Path, file_meta: dict[str, object]) -> ParsedDocument:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(path):
        raise UnreadableDocument("it is not a Word document (a .docx is a zip file; this is not one)")
    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(f"it is a zip file but not a readable Word document ({exc.__class__.__name__}: {exc})") from exc
    items: list[Item] = []
    section: str | None = None
    first_heading: str | None = None
    styled_title: str | None = None
    offset = 0
    for paragraph in document.paragraphs:
        text = collapse_ws(paragraph.text)
        length = len(paragraph.text) + 1
        style = str(paragraph.style.name).lower() if paragraph.style is not None else ""
        if text and style == "title":
            styled_title = styled_title or text
        elif text and style.startswith("heading"):
            section = text
            first_heading = first_heading or text
        elif text:
            items.append((text, offset, offset + len(paragraph.text), section, None, ADDED_CHAPTER))
        offset += length
    title = _title(file_meta.get("title") or document.core_properties.title or styled_title, first_heading, path.stem)
    return _as_case_study(path.name, title, items)
