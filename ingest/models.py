"""Typed values that flow through the ingest pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def header(self) -> str:
        """Context line given to the embedder and BM25, never shown as the passage text."""
        parts = [p for p in (self.case_study, self.chapter, self.section) if p]
        return " | ".join(parts)

    def indexed_text(self) -> str:
        return f"{self.header()}\n{self.text}"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "chapter": self.chapter,
            "section": self.section,
            "case_study": self.case_study,
            "page": self.page,
            "text": self.text,
            "footnotes": list(self.footnotes),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "Passage":
        return cls(
            id=str(data["id"]),
            source=str(data["source"]),
            start=int(data["start"]),  # type: ignore[arg-type]
            end=int(data["end"]),  # type: ignore[arg-type]
            chapter=str(data["chapter"]),
            section=data.get("section"),  # type: ignore[arg-type]
            case_study=data.get("case_study"),  # type: ignore[arg-type]
            page=data.get("page"),  # type: ignore[arg-type]
            text=str(data["text"]),
            footnotes=tuple(data.get("footnotes") or ()),  # type: ignore[arg-type]
        )


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
