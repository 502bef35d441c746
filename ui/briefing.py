"""A conversation as a briefing note, ready to paste into a committee report: a Word document and a Markdown twin.

Pure functions: `briefing_entries` reads the conversation, `briefing_docx` and `briefing_markdown` write the same
content in two formats. Nothing here talks to the service or to Streamlit.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.shared import Pt

from ui.state import Conversation
from ui.text import place, related_label, shorten, without_related


@dataclass(frozen=True)
class Toolkit:
    """The document every answer comes from, named as a report would cite it."""

    title: str
    publishers: tuple[str, ...]
    year: int

    def citation(self) -> str:
        return f"{self.title} ({self.year}), {' and '.join(self.publishers)}"


# As in corpus/toolkit.meta.json. The service does not publish its documents' metadata yet (the ingest issue's
# documents list will), so the page names the one toolkit it is about, as its introduction already does.
TOOLKIT = Toolkit("Transformation in localities toolkit", ("District Councils' Network", "Grant Thornton UK LLP"), 2018)


@dataclass(frozen=True)
class Source:
    """Where source [n] of an answer sits in the toolkit, and the words the answer quotes from it."""

    n: int
    case_study: str | None
    place: str  # 'Chapter › Section'
    page_label: str  # 'passage on page 117'
    quoted: tuple[str, ...]

    def label(self) -> str:
        where = f"{self.case_study} — {self.place}" if self.case_study else self.place
        return f"[{self.n}] {where}, {self.page_label}"


@dataclass(frozen=True)
class Entry:
    """One question and the toolkit's answer to it, with the sources behind each [n] marker."""

    question: str
    answer: str
    answered: bool
    sources: tuple[Source, ...]
    related: tuple[str, ...]  # 'Publica Group (starts on page 116)'


def briefing_entries(conv: Conversation) -> list[Entry]:
    """Each answered (or declined) question of the conversation, in the order asked."""
    entries = []
    for message in conv.answers:
        response = message.response
        assert response is not None  # conv.answers holds only messages with a response
        sources = tuple(
            Source(
                n=c.n,
                case_study=c.case_study,
                place=place(c.chapter, c.quoted_section),
                page_label=c.quoted_page_label,
                # The sentences the answer quotes; a source with none recorded shows the start of its passage.
                quoted=tuple(c.sentences) or (shorten(c.text, 300),),
            )
            for c in response.citations
        )
        related = tuple(related_label(r.title, r.page_label) for r in response.related_case_studies)
        entries.append(
            Entry(
                question=message.question or "",
                answer=without_related(response.answer),
                answered=response.answered,
                sources=sources,
                related=related,
            )
        )
    return entries


def long_date(on: date) -> str:
    """'1 December 2026', as UK reports write dates."""
    return f"{on.day} {on:%B %Y}"


def file_name(on: date, extension: str) -> str:
    return f"localities-briefing-{on.isoformat()}.{extension}"


def _intro(toolkit: Toolkit, on: date) -> list[str]:
    return [
        f"Source: {toolkit.citation()}.",
        (
            f"Prepared on {long_date(on)} with the Localities Assistant. Each answer is made of sentences quoted "
            "from the toolkit; the numbers in square brackets point to the sources listed under it. The toolkit "
            f"dates from {toolkit.year}: check the sources before relying on an answer."
        ),
    ]


def _flat(text: str) -> str:
    # The toolkit's line breaks are the PDF's column width, not the author's.
    return " ".join(text.split())


def briefing_docx(entries: Sequence[Entry], toolkit: Toolkit, on: date) -> bytes:
    """The briefing note as a Word document (.docx)."""
    document = Document()
    document.core_properties.title = f"Briefing note: {toolkit.title}"
    document.core_properties.author = "Localities Assistant"
    document.add_heading(f"Briefing note: {toolkit.title} ({toolkit.year})", level=0)
    for line in _intro(toolkit, on):
        document.add_paragraph(line)
    for number, entry in enumerate(entries, start=1):
        document.add_heading(f"{number}. {_flat(entry.question)}", level=1)
        for paragraph in entry.answer.split("\n\n"):
            if paragraph.strip():
                document.add_paragraph(_flat(paragraph))
        if entry.sources:
            document.add_heading("Sources", level=2)
        for source in entry.sources:
            label = document.add_paragraph()
            label.add_run(source.label()).bold = True
            for sentence in source.quoted:
                quote = document.add_paragraph(f"“{_flat(sentence)}”", style="Quote")
                quote.paragraph_format.left_indent = Pt(18)
        if entry.related:
            document.add_paragraph(f"Related case studies: {'; '.join(entry.related)}.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# Markdown that would change how the text renders; square brackets stay, so [1] reads as written.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<>#~|])")


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _flat(text))


def briefing_markdown(entries: Sequence[Entry], toolkit: Toolkit, on: date) -> str:
    """The same briefing note as Markdown."""
    lines = [f"# Briefing note: {_md(toolkit.title)} ({toolkit.year})", ""]
    for line in _intro(toolkit, on):
        lines += [_md(line), ""]
    for number, entry in enumerate(entries, start=1):
        lines += [f"## {number}. {_md(entry.question)}", ""]
        for paragraph in entry.answer.split("\n\n"):
            if paragraph.strip():
                lines += [_md(paragraph), ""]
        if entry.sources:
            lines += ["### Sources", ""]
        for source in entry.sources:
            quote = "\n>\n".join(f"> “{_md(sentence)}”" for sentence in source.quoted)
            lines += [f"**{_md(source.label())}**", "", quote, ""]
        if entry.related:
            lines += [f"Related case studies: {_md('; '.join(entry.related))}.", ""]
    return "\n".join(lines).rstrip() + "\n"
