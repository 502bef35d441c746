"""The typed values every layer speaks: paragraphs and passages, case studies, conversation turns, filters,
and the manifest a store keeps about its corpus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import Field, dataclass, field, fields
from typing import Any, TypedDict

from core.text import words_in_order

# The chapter a document's back cover is read under (the publishers' words about themselves), which is not one of the
# chapters a reader numbers.
BACK_MATTER = "About the publishers"


@dataclass(frozen=True)
class Paragraph:
    """One block of running text with its place in the source file."""

    text: str
    start: int
    end: int
    page: int | None
    chapter: str
    section: str | None = None
    case_study: str | None = None
    kind: str = "text"  # text | heading | quote
    footnotes: tuple[str, ...] = ()
    # Where `page` is unknown because extraction lost a page break nearby, the printed pages it lies between.
    earliest_page: int | None = None
    latest_page: int | None = None
    # A case study's box printed inside a section it does not head itself: that section, for search only.
    surrounding_section: str | None = None
    # The line printed under a quotation that says who said it ('District officer'), quoted with it; no part of
    # the paragraph's size, so where passages are cut does not move for it.
    said_by: str = ""
    # The title of a page printed under the page's text (ingest/layout.py): what the paragraph is cited under. The
    # section carried over from the page before stays `section`, so where passages are cut does not move for it.
    page_title: str | None = None
    # A heading kept at the top of this paragraph's text or of one before it in its section (ingest/blocks.py): the
    # heading its words are printed under, for citing them; neither where passages are cut nor what they are
    # searched by moves for it.
    printed_under: str | None = None


@dataclass(frozen=True)
class Mark:
    """Where a passage's text goes on under another heading or onto another printed page: from `offset` (into the
    passage's text) on, its words are cited under `section` and are on `page`."""

    offset: int
    section: str | None
    page: int | None


@dataclass(frozen=True)
class Passage:
    """A retrievable chunk: the toolkit's own words plus where they come from."""

    id: str
    source: str
    start: int
    end: int
    chapter: str
    section: str | None
    case_study: str | None
    page: int | None
    text: str
    footnotes: tuple[str, ...] = ()
    # Set only where `page` is unknown (extraction lost a page break nearby): the first and last printed page its
    # words can be on, so a citation says 'page 70 or 71' rather than nothing (ingest.pages.printed_page_bounds).
    earliest_page: int | None = None
    latest_page: int | None = None
    # Set only on a case study's passage whose box is printed inside a section it does not head (the Kent pilot on
    # the page of 'Housing Infrastructure Fund awards to district councils'): that section's words are context the
    # box illustrates, worth searching by, but a citation naming it would say the case study is about it.
    surrounding_section: str | None = None
    # Where the text moves under another heading or onto another page than the passage opens on (`Mark`), in
    # order: a passage is cut by size as well as by section, so its later paragraphs may be printed elsewhere, and
    # a sentence quoted from one is cited where it is printed (`place_of`).
    marks: tuple[Mark, ...] = ()

    def place_of(self, quoted: str) -> tuple[str | None, int | None]:
        """The section and printed page of the words `quoted` from this passage (its own where they are not found
        or lie before any mark). Whitespace may differ: answers rejoin lines the passage breaks."""
        if not self.marks:
            return self.section, self.page
        words = quoted.split()[:12]
        found = words_in_order(" ".join(words)).search(self.text) if words else None
        at = found.start() if found else -1
        mark = next((m for m in reversed(self.marks) if m.offset <= at), None)
        return (mark.section, mark.page) if mark else (self.section, self.page)

    @property
    def enclosing_section(self) -> str | None:
        """The section the passage is printed in: its own, else the one its case study's box sits inside. What
        search and the conversation go by; a citation names `section` only."""
        return self.section or self.surrounding_section

    def header(self) -> str:
        """Context line given to the embedder and BM25, never shown as the passage text."""
        parts = [p for p in (self.case_study, self.chapter, self.enclosing_section) if p]
        return " | ".join(parts)

    def indexed_text(self) -> str:
        return f"{self.header()}\n{self.text}"

    def to_json(self) -> dict[str, object]:
        """Every field by name (footnotes as a list): one line of a build's chunks.jsonl."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["footnotes"] = list(self.footnotes)
        data["marks"] = [[m.offset, m.section, m.page] for m in self.marks]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Passage:
        """The inverse of `to_json`, from any mapping holding the fields by name (a database row's, say).

        A field that may not be empty must be there (KeyError) and of its type (ValueError, TypeError).
        """
        return cls(**{f.name: _field_value(f, data) for f in fields(cls)})


def _field_value(f: Field[Any], data: Mapping[str, Any]) -> Any:
    """One field's value from a mapping, checked against the field's declared type."""
    kind = str(f.type)
    if f.name == "footnotes":
        return tuple(str(note) for note in data.get(f.name) or ())
    if f.name == "marks":
        # Rows written before marks existed have none: their citations name the passage's own section and page.
        return tuple(
            Mark(int(offset), None if section is None else str(section), None if page is None else int(page))
            for offset, section, page in data.get(f.name) or ()
        )
    if "None" in kind:
        value = data.get(f.name)
        return None if value is None else (int(value) if kind.startswith("int") else str(value))
    return int(data[f.name]) if kind == "int" else str(data[f.name])


@dataclass(frozen=True)
class CaseStudy:
    """A case study as the contents page and its `Case study:` label name it."""

    id: str
    title: str
    chapter: str
    page: int | None
    source: str
    label: str | None = None


@dataclass
class ParsedDocument:
    """Everything one source file yields."""

    source: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    case_studies: list[CaseStudy] = field(default_factory=list)


@dataclass(frozen=True)
class Turn:
    """One earlier message of a conversation ('user' or 'assistant')."""

    role: str
    content: str


@dataclass(frozen=True)
class Filters:
    """Restrict a search to one chapter and/or one case study (as the index names them)."""

    chapter: str | None = None
    case_study: str | None = None

    def admits(self, passage: Passage) -> bool:
        return (not self.chapter or passage.chapter == self.chapter) and (
            not self.case_study or passage.case_study == self.case_study
        )


class CorpusCounts(TypedDict):
    documents: int
    passages: int
    case_studies: int


class DocumentReport(TypedDict):
    """What one corpus document yielded at ingest (the CLI prints it; GET /documents lists it)."""

    source: str  # the file's name in the corpus folder
    title: str
    passages: int
    sections: int  # distinct section names among its passages
    pages: int  # distinct printed pages among its passages


class Manifest(TypedDict, total=False):
    """What a store says about the corpus it holds (a build's manifest.json, or the database's corpus_state).

    `model` is the embedding model: a server only swaps in a corpus embedded with the model it encodes with.
    """

    model: str
    built_at: str | None
    settings: dict[str, object]  # what decides the passages: chunk sizes, parser version (and the FAISS kind)
    counts: CorpusCounts
    skipped: Sequence[Sequence[str]]  # (file, reason) for each unreadable document
    documents: list[DocumentReport]  # one per document ingested, in corpus order
    files: dict[str, str]  # files only: SHA-256 of each corpus file the build was made from
    backend: str  # PostgreSQL only: "postgresql"
    build_seconds: float  # files only
    dense_index: str  # "flat" or "hnsw"
    sentence_index: str  # files only: "flat" or "hnsw"
    checksums: dict[str, str]  # files only: SHA-256 of every file of the build but the manifest
