"""Pages of PDF-extracted text: where they start, which lines are furniture, what they are numbered."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from core.text import collapse_ws, normalise


@dataclass(frozen=True)
class Line:
    """One line of the source file with its character offsets."""

    index: int
    text: str
    start: int
    end: int

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def clean(self) -> str:
        return collapse_ws(self.text)


@dataclass(frozen=True)
class Page:
    """A run of lines that the extraction put on one PDF page."""

    index: int
    lines: tuple[Line, ...]

    def content(self) -> list[Line]:
        return [line for line in self.lines if not line.blank]


def split_lines(text: str) -> list[Line]:
    """Lines with their start/end character offsets (end excludes the newline)."""
    lines: list[Line] = []
    offset = 0
    for index, raw in enumerate(text.split("\n")):
        lines.append(Line(index, raw, offset, offset + len(raw)))
        offset += len(raw) + 1
    return lines


def footer_page_number(line: str, title: str) -> int | None:
    """The printed page number of a footer such as '16  Transformation in localities toolkit'."""
    if not title:
        return None
    escaped = re.escape(title).replace(r"\ ", r"\s+")
    match = re.fullmatch(rf"\s*(\d{{1,3}})\s+{escaped}\s*|\s*{escaped}\s+(\d{{1,3}})\s*", line, re.IGNORECASE)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


_PAGE_START = re.compile(r"^ [^\s–•\-]")


def split_pages(lines: list[Line], title: str) -> list[Page]:
    """Cut the text into pages: a line opened by one space after a non-blank line, or a footer mark."""
    starts = [0]
    for line in lines[1:]:
        previous = lines[line.index - 1]
        starts_page = bool(_PAGE_START.match(line.text)) and not previous.blank
        if starts_page or footer_page_number(line.text, title) is not None:
            if line.index != starts[-1]:
                starts.append(line.index)
    bounds = [*starts, len(lines)]
    return [Page(i, tuple(lines[a:b])) for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", normalise(text))


def _is_title_fragment(text: str, titles: list[str]) -> bool:
    """True when the line's words run, in order, inside one of the chapter titles."""
    words = _words(text)
    if not words or (len(words) == 1 and len(words[0]) < 5):
        return False
    for title in titles:
        title_words = _words(title)
        for i in range(len(title_words) - len(words) + 1):
            if title_words[i : i + len(words)] == words:
                return True
    return False


EDGE_LINES = 6


def furniture_lines(pages: list[Page], title: str, chapter_titles: list[str]) -> set[int]:
    """Indices of page furniture: footers and running chapter headers near a page's edge."""
    furniture: set[int] = set()
    edge: set[int] = set()
    for page in pages:
        content = page.content()
        edge.update(line.index for line in content[:2] + content[-EDGE_LINES:])
        for line in content:
            if footer_page_number(line.text, title) is not None:
                furniture.add(line.index)

    counts = Counter(line.clean for page in pages for line in page.content())
    for page in pages:
        content = page.content()
        for position, line in enumerate(content):
            if line.index not in edge or line.index in furniture:
                continue
            text = line.clean
            if len(text.split()) > 5 or text.endswith(":") or counts[text] < 2:
                continue
            if chapter_titles:
                is_header = _is_title_fragment(text, chapter_titles)
            else:
                is_header = counts[text] >= 4 and not _follows_quote(content, position)
            if is_header:
                furniture.add(line.index)
    return furniture


def _follows_quote(content: list[Line], position: int) -> bool:
    return position > 0 and content[position - 1].clean.endswith(("”", '"'))


_CONTENTS_ENTRY = re.compile(r"^(?P<title>\S.*?\S)\s+(?P<page>\d{1,3})$")


@dataclass(frozen=True)
class ContentsEntry:
    """'Central Lincolnshire Planning Authority 60' on a contents page."""

    title: str
    page: int
    page_index: int


def contents_entries(pages: list[Page], before_page: int) -> list[ContentsEntry]:
    """Title-and-number lines on the pages before the first chapter (a number alone on the next line counts)."""
    entries: list[ContentsEntry] = []
    for page in pages[:before_page]:
        content = page.content()
        for position, line in enumerate(content):
            text = line.clean
            match = _CONTENTS_ENTRY.match(text)
            if match and len(match.group("title").split()) >= 2 and re.search(r"[A-Za-z]{3}", match.group("title")):
                entries.append(ContentsEntry(match.group("title"), int(match.group("page")), page.index))
            elif re.fullmatch(r"\d{1,3}", text) and position > 0 and len(content[position - 1].clean.split()) >= 3:
                entries.append(ContentsEntry(content[position - 1].clean, int(text), page.index))
    # A number alone may also open the next page after its title ('…Peterborough' / ' 142').
    for page in pages[1:before_page]:
        first = page.content()[:1]
        previous = pages[page.index - 1].content()[-1:]
        if first and previous and re.fullmatch(r"\d{1,3}", first[0].clean) and len(previous[0].clean.split()) >= 3:
            entries.append(ContentsEntry(previous[0].clean, int(first[0].clean), page.index - 1))
    return entries


def is_contents_page(page: Page) -> bool:
    """A page whose lines are mostly titles followed by page numbers."""
    content = page.content()
    if len(content) < 4:
        return False
    numbered = sum(1 for line in content if re.search(r"(^|\s)\d{1,3}$", line.clean))
    return numbered / len(content) >= 0.3


TINY_PAGE_LINES = 3  # a 'page' this short is a chart's labels or a footnote a stray break cut off its page


def printed_page_numbers(page_count: int, anchors: dict[int, int], tiny: frozenset[int] = frozenset()) -> list[int | None]:
    """Printed page for each page index, from anchors {page_index: printed_page}.

    Pages between two anchors are numbered only when the anchors agree: the printed gap equals the number of
    page breaks between them, counted either as the extraction found them or without the breaks that opened
    `tiny` pages (a tiny page then shares its predecessor's number). Elsewhere extraction lost or invented a
    page break where nothing tells which, so the page stays unknown.
    """
    numbers: list[int | None] = [None] * page_count
    ordered = sorted(anchors.items())
    for index, printed in ordered:
        numbers[index] = printed
    for (i1, p1), (i2, p2) in zip(ordered, ordered[1:]):
        if p2 - p1 == i2 - i1:
            for index in range(i1, i2 + 1):
                numbers[index] = p1 + (index - i1)
        elif p2 - p1 == sum(1 for index in range(i1 + 1, i2 + 1) if index not in tiny) and i2 not in tiny:
            printed = p1
            for index in range(i1 + 1, i2 + 1):
                printed += index not in tiny
                numbers[index] = printed
    return numbers


def printed_page_bounds(
    numbers: list[int | None], anchors: dict[int, int], tiny: frozenset[int] = frozenset()
) -> list[tuple[int, int] | None]:
    """For each page index that `printed_page_numbers` left unknown, the first and last printed page it can be.

    Where the printed gap between two anchors is larger than the page breaks between them, extraction lost breaks
    (two printed pages came out as one): then index i lies no earlier than p1 + (breaks from i1 to i) and no later
    than p2 - (breaks from i to i2), a span as wide as the breaks lost, so an officer gets 'page 70 or 71' rather
    than nothing. Breaks are counted both ways `printed_page_numbers` reads them (with and without those opening
    `tiny` pages) and the span covers both. Where extraction found more breaks than pages printed, or before the
    first and after the last anchor, nothing bounds the page and it stays unknown.
    """
    bounds: list[tuple[int, int] | None] = [None] * len(numbers)
    ordered = sorted(anchors.items())
    for (i1, p1), (i2, p2) in zip(ordered, ordered[1:]):
        readings = [list(range(i1, i2 + 1)), [i for i in range(i1, i2 + 1) if i == i1 or i not in tiny]]
        if any(p2 - p1 <= len(counted) - 1 for counted in readings):
            continue
        for index in range(i1 + 1, i2):
            if numbers[index] is not None:
                continue
            spans = []
            for counted in readings:
                before = sum(1 for i in counted if i1 < i <= index)  # breaks from the first anchor to this page
                after = sum(1 for i in counted if index < i <= i2)
                spans.append((p1 + before, p2 - after))
            bounds[index] = (min(low for low, _ in spans), max(high for _, high in spans))
    return bounds


def consistent_anchors(anchors: list[tuple[int, int]]) -> dict[int, int]:
    """Drop anchors that break the order of pages (a printed page must grow with the index)."""
    kept: dict[int, int] = {}
    for index, printed in sorted(anchors):
        if index in kept:
            if kept[index] != printed:
                del kept[index]
            continue
        if any(i < index and p >= printed for i, p in kept.items()):
            continue
        kept[index] = printed
    return kept
