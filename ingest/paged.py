"""Any paged document (a PDF): running headers and footers found by repetition, sections from its outline.

Pure functions over the text of each page, so they work whoever wrote the PDF: a line that sits at the top
or bottom of many pages (page numbers aside) is furniture, and an outline entry starts its section at the
line that prints its title, or at the top of its page when no line does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from core.text import collapse_ws, normalise

EDGE = 2  # lines at the top and at the bottom of a page where running headers and footers sit
MIN_REPEATS = 3  # pages a line must repeat on before it counts as furniture
MAX_FURNITURE_WORDS = 14
_ROMAN = re.compile(r"^[ivxlcdm]+$")


def _edge_key(line: str) -> str:
    """A line with its numbers masked: 'Page 3 of 9' and 'Page 4 of 9' are the same footer."""
    words = [("#" if _ROMAN.match(word) else word) for word in normalise(line).split()]
    return re.sub(r"\d+", "#", " ".join(words))


def _edges(lines: list[str]) -> list[int]:
    content = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(content[:EDGE] + content[-EDGE:]))


def furniture(pages: list[list[str]], labels: list[str] | None = None, titles: list[str] = ()) -> list[set[int]]:  # type: ignore[assignment]
    """For each page, the indices of its lines that are page furniture (running headers, footers, page numbers).

    A line repeating at the edge of many pages is furniture; so is a running header naming a short chapter,
    which repeats too little: an outline title printed at the page's edge with the page's own number
    ('Chapter 3: Utilities 7' on page 7).
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_edge_key(lines[i]) for i in _edges(lines)})
    repeated = {
        key for key, n in counts.items() if n >= MIN_REPEATS and len(key.split()) <= MAX_FURNITURE_WORDS and key
    }
    outline = {_heading_key(title) for title in titles} - {""}
    dropped = []
    for index, lines in enumerate(pages):
        number = labels[index] if labels and index < len(labels) else str(index + 1)
        dropped.append(
            {i for i in _edges(lines) if _edge_key(lines[i]) in repeated or _running_title(lines[i], number, outline)}
        )
    return dropped


def _running_title(line: str, number: str, outline: set[str]) -> bool:
    words = line.split()
    if len(words) < 2 or number not in (words[0], words[-1]):
        return False
    rest = " ".join(words[1:] if words[0] == number else words[:-1])
    return _heading_key(rest) in outline


@dataclass(frozen=True)
class OutlineEntry:
    """One bookmark of a PDF's outline: its title, nesting depth (0 = top) and the page index it opens."""

    title: str
    depth: int
    page_index: int


_NUMBERING = re.compile(r"^(?:(?:chapter|section|part|appendix)\s+[\w.]+[.:]?\s+|\d+(?:\.\d+)*[.:)]?\s+)")


def _heading_key(text: str) -> str:
    """A heading without its numbering ('2.1 Scope' and 'Scope' match)."""
    return _NUMBERING.sub("", normalise(text)).strip()


@dataclass(frozen=True)
class Place:
    """Where a line sits in the document's structure."""

    chapter: str | None
    section: str | None


class OutlineCursor:
    """Walks the pages in order and tells, for each line, the chapter and section the outline puts it in.

    With a nested outline the top level names chapters and the deeper levels sections; a flat outline names
    sections only.
    """

    def __init__(self, entries: list[OutlineEntry]) -> None:
        self.entries = sorted(entries, key=lambda e: e.page_index)
        self.nested = any(e.depth > 0 for e in entries)
        self.chapter: str | None = None
        self.section: str | None = None
        self._pending: list[OutlineEntry] = []

    def _enter(self, entry: OutlineEntry) -> None:
        title = collapse_ws(entry.title)
        if self.nested and entry.depth == 0:
            self.chapter, self.section = title, None
        else:
            self.section = title

    def start_page(self, page_index: int, lines: list[str]) -> None:
        """Entries opening this page: those whose title no line prints start at the top of the page."""
        opening = [e for e in self.entries if e.page_index == page_index]
        printed = {_heading_key(line) for line in lines if line.strip()}
        for entry in opening:
            if _heading_key(entry.title) not in printed:
                self._enter(entry)
        self._pending = [e for e in opening if _heading_key(e.title) in printed]

    def heading(self, line: str) -> bool:
        """Whether the line prints an outline entry of this page (it then opens the entry and is not text)."""
        key = _heading_key(line)
        for entry in self._pending:
            if key and _heading_key(entry.title) == key:
                self._enter(entry)
                self._pending.remove(entry)
                return True
        return False

    @property
    def place(self) -> Place:
        return Place(self.chapter, self.section)


def printed_page(label: str) -> int | None:
    """The page number a PDF page label prints ('17'); a roman or lettered label has none."""
    return int(label) if label.strip().isdigit() else None
