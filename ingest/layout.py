"""Parse text extracted from a designed PDF (the toolkit) into attributed paragraphs and case studies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from core.models import BACK_MATTER, CaseStudy, Paragraph, ParsedDocument
from core.text import collapse_ws, normalise, normalised_words, rejoin_urls, slugify
from ingest.blocks import FOOTNOTE, Block, page_blocks
from ingest.pages import (
    TINY_PAGE_LINES,
    Page,
    consistent_anchors,
    contents_entries,
    furniture_lines,
    is_contents_page,
    printed_page_bounds,
    printed_page_numbers,
    split_lines,
    split_pages,
)
from ingest.sections import (
    CLOSES_QUOTE,
    asks_the_reader,
    clean_title,
    heads_a_table,
    labels_box_above,
    line_key,
    section_heading,
    speakers_and_signatories,
)

_STOP = frozenset(
    "a an and the of in on for to with by at as our from district districts council councils dc borough "
    "city county case study partnership partners group".split()
)


@dataclass(frozen=True)
class LayoutMeta:
    """What the metadata file says about a PDF-extracted document."""

    title: str
    chapters: list[str] = field(default_factory=list)
    chapter_opener_marker: str = ""
    front_matter_title: str = "Introduction"
    publishers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overrides:
    """Reviewed corrections for text the parser cannot settle alone (optional)."""

    partnership_aliases: dict[str, list[str]] = field(default_factory=dict)
    title_aliases: dict[str, str] = field(default_factory=dict)
    page_anchors: dict[str, int] = field(default_factory=dict)  # heading → printed page, from a reviewed contents table
    # Case study → the opening words of its first paragraph, where its page also prints the toolkit's own text
    # before it and nothing marks where the box starts.
    case_study_openings: dict[str, str] = field(default_factory=dict)


@dataclass
class _Label:
    block_index: int
    title: str
    generic: bool


def _key_tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", normalise(text))
    return {w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words if w not in _STOP and len(w) > 2}


def _chapter_starts(pages: list[Page], meta: LayoutMeta) -> dict[int, str]:
    """Page index → chapter title for each chapter opener page (they carry the marker line pair)."""
    if not meta.chapters or not meta.chapter_opener_marker:
        return {}
    marker = normalise(meta.chapter_opener_marker)

    def has_marker(page: Page) -> bool:
        content = [normalise(line.text) for line in page.content()]
        return any(" ".join(content[i : i + n]) == marker for i in range(len(content)) for n in (1, 2, 3))

    openers = [p.index for p in pages if has_marker(p)]
    return dict(zip(openers, meta.chapters))


def _opener_titles(pages: list[Page], chapter_starts: dict[int, str]) -> set[int]:
    """The chapter title printed at the top of its opener page: known already, so not passage text."""
    from ingest.pages import _is_title_fragment

    lines: set[int] = set()
    for index, title in chapter_starts.items():
        for line in pages[index].content()[:3]:
            if not _is_title_fragment(line.clean, [title]):
                break
            lines.add(line.index)
    return lines


def _page_anchors(pages: list[Page], title: str) -> list[tuple[int, int]]:
    from ingest.pages import footer_page_number

    anchors: list[tuple[int, int]] = []
    for page in pages:
        for line in page.content():
            number = footer_page_number(line.text, title)
            if number is not None:
                anchors.append((page.index, number))
    return anchors


def _title_similarity(a: str, b: str, idf: dict[str, float]) -> float:
    """Share of the rarer title's weight that the two titles have in common (0–100); rare words count most."""
    ta, tb = _key_tokens(a), _key_tokens(b)
    if not ta or not tb:
        return 0.0

    def weight(tokens: set[str]) -> float:
        return sum(idf.get(t, 1.0) for t in tokens)

    return 100 * weight(ta & tb) / min(weight(ta), weight(tb))


def _best_pairs(labels: list[_Label], entries: list, idf: dict[str, float]) -> dict[int, object]:
    pairs = sorted(
        (
            (_title_similarity(label.title, entry.title, idf), label.block_index, i)
            for label in labels
            for i, entry in enumerate(entries)
        ),
        reverse=True,
    )
    matches: dict[int, object] = {}
    used: set[int] = set()
    for score, label_index, entry_index in pairs:
        if score < 50:
            break
        if label_index in matches or entry_index in used:
            continue
        matches[label_index] = entries[entry_index]
        used.add(entry_index)
    return matches


def _match_labels_to_contents(labels: list[_Label], entries: list, idf: dict[str, float], pages: list[Page]) -> dict[int, object]:
    """Pair each specific label with the entry naming the same case study on the case-study contents page.

    The contents page that most labels match is taken as the case-study contents; the pairing is then
    redone against its entries alone, best-scoring pairs first.
    """
    specific = [label for label in labels if not label.generic]
    first = _best_pairs(specific, entries, idf)
    if not first:
        return {}
    hits = [entry.page_index for entry in first.values()]  # type: ignore[attr-defined]
    contents_pages = {max(set(hits), key=hits.count)}
    # A stray page break can cut the last entries of the list onto tiny 'pages' of their own.
    following = max(contents_pages) + 1
    while following < len(pages) and len(pages[following].content()) <= 3:
        contents_pages.add(following)
        following += 1
    candidates = [e for e in entries if e.page_index in contents_pages]
    matches = _best_pairs(specific, candidates, idf)
    return _fill_in_order(specific, candidates, matches, idf)


def _fill_in_order(labels: list[_Label], entries: list, matches: dict[int, object], idf: dict[str, float]) -> dict[int, object]:
    """Accept a weaker pairing when it sits in document order between two confident ones."""
    position = {id(e): i for i, e in enumerate(entries)}
    filled = dict(matches)
    for k, label in enumerate(labels):
        if label.block_index in filled:
            continue
        before = [position[id(filled[other.block_index])] for other in labels[:k] if other.block_index in filled]
        after = [position[id(filled[other.block_index])] for other in labels[k + 1 :] if other.block_index in filled]
        low, high = (max(before) if before else -1), (min(after) if after else len(entries))
        used = {id(v) for v in filled.values()}
        scored = [
            (_title_similarity(label.title, e.title, idf), i)
            for i, e in enumerate(entries)
            if low < i < high and id(e) not in used
        ]
        if scored and max(scored)[0] >= 30:
            filled[label.block_index] = entries[max(scored)[1]]
    return filled


def _idf(texts: object) -> dict[str, float]:
    """Inverse document frequency of title tokens over the document's blocks."""
    import math

    documents = [_key_tokens(t) for t in texts]  # type: ignore[attr-defined]
    counts: dict[str, int] = {}
    for tokens in documents:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    return {t: math.log(1 + len(documents) / c) for t, c in counts.items()}


def _split_bodies(bodies: list[int], titles: list[str], texts: dict[int, str]) -> list[int]:
    """Assign consecutive body blocks to consecutive titles, cutting where each title's words fit best."""
    n, m = len(bodies), len(titles)
    if m == 1 or n == 0:
        return [0] * n
    score = [[len(_key_tokens(texts[b]) & _key_tokens(t)) for t in titles] for b in bodies]
    best: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def solve(i: int, j: int) -> tuple[float, list[int]]:
        if i == n:
            return (0.0, []) if j == m - 1 else (-1e9, [])
        if (i, j) in best:
            return best[(i, j)]
        stay = solve(i + 1, j)
        options = [(stay[0] + score[i][j], [j, *stay[1]])]
        if j + 1 < m:
            move = solve(i + 1, j + 1)
            options.append((move[0] + score[i][j + 1], [j + 1, *move[1]]))
        best[(i, j)] = max(options, key=lambda o: o[0])
        return best[(i, j)]

    return solve(0, 0)[1]


def _mentions(text: str, aliases: dict[str, list[str]]) -> list[str]:
    found = []
    norm = normalise(text)
    for name, names in aliases.items():
        if any(re.search(rf"\b{re.escape(normalise(alias))}", norm) for alias in names):
            found.append(name)
    return found


def _default_aliases(titles: list[str]) -> dict[str, list[str]]:
    """'Breckland and South Holland District Councils' → ['Breckland', 'South Holland']."""
    aliases: dict[str, list[str]] = {}
    for title in titles:
        core = re.sub(r"\b(District|Borough|City|County)?\s*Councils?\b|\b(Group|partnership)\b", "", title, flags=re.I)
        parts = [collapse_ws(p) for p in re.split(r"\band\b|&", core) if collapse_ws(p)]
        aliases[title] = parts or [title]
    return aliases


def parse_layout_text(text: str, source: str, meta: LayoutMeta, overrides: Overrides | None = None) -> ParsedDocument:
    """Turn PDF-extracted text into attributed paragraphs and the case studies they belong to."""
    overrides = overrides or Overrides()
    lines = split_lines(text)
    pages = split_pages(lines, meta.title)
    furniture = furniture_lines(pages, meta.title, meta.chapters)
    chapter_starts = _chapter_starts(pages, meta)
    furniture |= _opener_titles(pages, chapter_starts)
    first_chapter_page = min(chapter_starts) if chapter_starts else 0
    vocabulary = frozenset(re.findall(r"[a-z]+", text.lower()))

    blocks: list[Block] = []
    for page in pages:
        if page.index < first_chapter_page and is_contents_page(page):
            continue
        kept = [line for line in page.lines if line.index not in furniture]
        blocks.extend(page_blocks(kept, page.index))
    texts = {i: b.text(vocabulary) for i, b in enumerate(blocks)}

    # Case-study labels and their titles (the block after 'Case study:').
    label_titles: list[str] = []
    labels: dict[int, _Label] = {}
    for i, block in enumerate(blocks):
        if block.kind == "label" and i + 1 < len(blocks):
            label_titles.append(clean_title(texts[i + 1]))
    for i, block in enumerate(blocks):
        if block.kind == "label" and i + 1 < len(blocks):
            title = clean_title(texts[i + 1])
            generic = title.endswith("?") or label_titles.count(title) > 1
            labels[i] = _Label(i, title, generic)

    entries = contents_entries(pages, first_chapter_page)
    matches = _match_labels_to_contents(list(labels.values()), entries, _idf(texts.values()), pages)
    matched_pages = {e.page_index for e in matches.values()}  # type: ignore[attr-defined]
    case_entries = [e for e in entries if e.page_index in matched_pages]
    unmatched_entries = [e for e in case_entries if e not in matches.values()]

    anchors = _page_anchors(pages, meta.title)
    for label_index, entry in matches.items():
        anchors.append((blocks[label_index].page_index, entry.page))  # type: ignore[attr-defined]
    partnership_aliases = overrides.partnership_aliases or _default_aliases([e.title for e in unmatched_entries])
    anchors += _partnership_anchors(blocks, labels, texts, unmatched_entries, partnership_aliases)
    anchors += _heading_anchors(blocks, texts, overrides.page_anchors, set(chapter_starts), first_chapter_page)
    tiny = frozenset(p.index for p in pages if len(p.content()) <= TINY_PAGE_LINES)
    kept_anchors = consistent_anchors(anchors)
    page_numbers = printed_page_numbers(len(pages), kept_anchors, tiny)
    page_bounds = printed_page_bounds(page_numbers, kept_anchors, tiny)

    # Chapter of each page.
    chapter_of_page: list[str] = []
    current = meta.front_matter_title if chapter_starts else meta.title
    for page in pages:
        current = chapter_starts.get(page.index, current)
        chapter_of_page.append(current)
    if pages and is_back_cover(pages[-1], meta.publishers):
        chapter_of_page[-1] = BACK_MATTER

    # Case study of each block.
    title_of_label: dict[int, str] = {}
    for index, label in labels.items():
        entry = matches.get(index)
        title_of_label[index] = overrides.title_aliases.get(label.title, entry.title if entry else label.title)  # type: ignore[attr-defined]
    case_of_block: dict[int, str | None] = {}
    by_page: dict[int, list[int]] = {}
    for i, block in enumerate(blocks):
        by_page.setdefault(block.page_index, []).append(i)
    for indices in by_page.values():
        page_labels = [i for i in indices if i in labels]
        specific = [i for i in page_labels if not labels[i].generic]
        generic_labels = [i for i in page_labels if labels[i].generic]
        title_blocks = {i + 1 for i in page_labels}
        body = [i for i in indices if i not in page_labels and i not in title_blocks and blocks[i].kind != "footnote"]
        if generic_labels:
            # Columns come out one after the other: a paragraph naming no partnership continues the last one named.
            partnership: str | None = None
            for i in body:
                named = _mentions(texts[i], partnership_aliases)
                if len(named) == 1:
                    partnership = named[0]
                elif len(named) > 1:
                    partnership = None
                case_of_block[i] = partnership
        elif len(specific) == 1:
            for i in body:
                case_of_block[i] = title_of_label[specific[0]]
        elif specific:
            before = [i for i in body if i < specific[0]]
            titles = [title_of_label[i] for i in specific]
            for i, which in zip(before, _split_bodies(before, [f"{t} {labels[s].title}" for t, s in zip(titles, specific)], texts)):
                case_of_block[i] = titles[which]

    _bound_case_studies(case_of_block, texts, overrides)

    # Footnotes go to the paragraph carrying their marker; then sections and the final paragraphs.
    footnotes: dict[int, list[str]] = {}
    for i, block in enumerate(blocks):
        if block.kind == "footnote":
            target = _footnote_target(i, blocks, texts)
            if target is not None:
                footnotes.setdefault(target, []).append(rejoin_urls(texts[i]))
    paragraphs: list[Paragraph] = []
    section: str | None = None
    # The case study whose box printed the current section's heading, if any; on a page comparing partnerships the
    # headings are the page's own themes ('Incremental alignment'), each partnership's text under them.
    section_case: str | None = None
    section_on_comparison = False
    comparison_pages = {blocks[i].page_index for i, label in labels.items() if label.generic}
    last_chapter = ""
    # Short blocks and contents entries, as printed: a heading made of two of them run together is two column heads.
    printed_alone = frozenset(
        [line_key(t) for t in texts.values() if 1 <= len(t.split()) <= 10] + [line_key(e.title) for e in entries]
    )
    attributions = speakers_and_signatories([b.kind for b in blocks], [texts[i] for i in range(len(blocks))])
    quoted_from: dict[int, int] = {}  # a quotation's block → its paragraph, for the speaker printed under it
    last_of_page = {block.page_index: i for i, block in enumerate(blocks) if block.kind != "footnote"}
    anchored = {line_key(heading): page for heading, page in overrides.page_anchors.items()}
    page_index, page_starts_at, carried, opened_on_page = -1, 0, None, False
    # A heading printed above its paragraph's first line and kept in its text (blocks.py): the heading that paragraph
    # and the ones after it in the same section and case study are printed under.
    kept_heading: tuple[str, str | None] | None = None
    for i, block in enumerate(blocks):
        if block.page_index != page_index:
            page_index, page_starts_at, carried, opened_on_page = block.page_index, len(paragraphs), section, False
        chapter = chapter_of_page[block.page_index]
        if chapter != last_chapter or line_key(texts[i]) == line_key(chapter):
            # A chapter's title printed on its opener page (where extraction lost that page's break) starts it afresh.
            section, section_case, section_on_comparison, last_chapter = None, None, False, chapter
            kept_heading = None
        if block.kind in ("footnote", "label") or (i - 1 in labels):
            continue
        if block.kind == "heading" and i in attributions and i - 1 in quoted_from:
            # Who said it stays with what they said: alone, a councillor's words read as the toolkit's own.
            at = quoted_from[i - 1]
            paragraphs[at] = replace(paragraphs[at], said_by=texts[i], end=max(paragraphs[at].end, block.end))
            continue
        if block.kind == "heading":
            following = next((texts[j] for j in range(i + 1, len(blocks)) if blocks[j].kind != "footnote"), "")
            if paragraphs and labels_box_above(texts[i], paragraphs[-1].text, following):
                _name_box_above(paragraphs, clean_title(texts[i]))
                continue  # what follows the box goes on in the section it was in
            if i not in attributions and not heads_a_table(following):
                opened = section_heading([line.text for line in block.lines], printed_alone, section)
                if opened != section:
                    # The page's title comes out last, or below the page's text where the contents table says the
                    # page is that tool's ('Appraising governance models' came out after page 55's text, above its
                    # diagram, and the text had been cited under the culture tool's 'What stories are famous here?').
                    anchor = anchored.get(line_key(opened or ""))
                    printed_last = last_of_page[block.page_index] == i or (anchor is not None and anchor == page_numbers[block.page_index])
                    if opened and printed_last and not opened_on_page and carried == section:
                        _title_printed_last(paragraphs, page_starts_at, carried, opened)
                    elif opened:
                        _title_printed_below_its_text(paragraphs, page_starts_at, section, opened)
                    section, section_case = opened, case_of_block.get(i)
                    section_on_comparison = block.page_index in comparison_pages
                    opened_on_page = True
                    kept_heading = None
            continue
        if not re.search(r"[A-Za-z]{2,}.*[A-Za-z]{2,}.*[A-Za-z]{2,}", texts[i]):
            continue  # map legends, figures and stray numbers
        bounds = page_bounds[block.page_index] or (None, None)
        on_comparison = section_on_comparison and block.page_index in comparison_pages
        own_section = _section_within(section, section_case, case_of_block.get(i), on_comparison)
        if CLOSES_QUOTE.search(texts[i]):
            quoted_from[i] = len(paragraphs)
        heading = block.heading()
        if heading:
            kept_heading = (clean_title(heading), case_of_block.get(i))
        printed_under = kept_heading[0] if kept_heading and kept_heading[1] == case_of_block.get(i) else None
        paragraphs.append(
            Paragraph(
                text=texts[i],
                start=block.start,
                end=block.end,
                page=page_numbers[block.page_index],
                earliest_page=bounds[0],
                latest_page=bounds[1],
                chapter=chapter,
                section=own_section,
                surrounding_section=section if own_section != section else None,
                case_study=case_of_block.get(i),
                kind="quote" if texts[i].startswith(("“", '"')) else "text",
                footnotes=tuple(footnotes.get(i, ())),
                printed_under=printed_under,
            )
        )

    case_studies = _case_studies(source, labels, title_of_label, matches, blocks, page_numbers, chapter_of_page, unmatched_entries)
    return ParsedDocument(source=source, title=meta.title, paragraphs=paragraphs, case_studies=case_studies)


def _title_printed_last(paragraphs: list[Paragraph], page_starts_at: int, carried: str | None, title: str) -> None:
    """A page's title, printed at its top, comes out after the page's text when no other heading is on the page:
    the page's own text (outside any case study) goes under it rather than under the section carried over from the
    page before ('Land value capture' had been cited as 'Housing Infrastructure Fund awards to district councils')."""
    for k in range(page_starts_at, len(paragraphs)):
        if paragraphs[k].case_study is None and paragraphs[k].section == carried:
            paragraphs[k] = replace(paragraphs[k], page_title=title)


def _title_printed_below_its_text(paragraphs: list[Paragraph], page_starts_at: int, section: str | None, title: str) -> None:
    """A heading the extraction put below the paragraph that opens with its words ('Aligning organisational cultures
    is one of the biggest challenges …' above 'Aligning organisational cultures', p.52): that paragraph, and those
    after it on the page in the same section, go under it rather than under the culture tool's question before it."""
    words = normalised_words(title)
    for k in range(page_starts_at, len(paragraphs)):
        if paragraphs[k].case_study is None and paragraphs[k].section == section and f"{normalised_words(paragraphs[k].text)} ".startswith(f"{words} "):
            for at in range(k, len(paragraphs)):
                if paragraphs[at].case_study is None and paragraphs[at].section == section:
                    paragraphs[at] = replace(paragraphs[at], page_title=title)
            return


def _name_box_above(paragraphs: list[Paragraph], label: str) -> None:
    """The run of bulleted questions ending `paragraphs`, of one chapter and outside any case study, becomes the box
    `label` names."""
    last = paragraphs[-1]
    at = len(paragraphs)
    while (
        at > 0
        and asks_the_reader(paragraphs[at - 1].text)
        and (paragraphs[at - 1].chapter, paragraphs[at - 1].case_study) == (last.chapter, None)
    ):
        at -= 1
    for k in range(at, len(paragraphs)):
        paragraphs[k] = replace(paragraphs[k], section=label)


def _section_within(section: str | None, section_case: str | None, case_study: str | None, on_comparison: bool) -> str | None:
    """A paragraph's own section: a case study's box has one only where the box prints that heading, or where a
    page comparing partnerships heads its columns with it (`on_comparison`: heading and paragraph both on one).

    The extraction runs a box on from the text printed before it, so the section before the box would otherwise
    label it: the Kent pilot under 'Housing Infrastructure Fund awards to district councils', Selby under 'Shared
    Services Evaluation Tool'. A citation naming a section the case study is not about misleads; the section stays
    the passage's `surrounding_section`, for search.
    """
    return section if on_comparison or case_study is None or case_study == section_case else None


# The toolkit's own sentence introducing a box ('The two case studies below illustrate …', 'The example below
# provides …', 'we offer a case study from elsewhere in Europe'): printed above the box, it comes out after the box's
# title, on the box's page.
_ANNOUNCES_A_CASE_STUDY = re.compile(
    r"\b(?:case stud(?:y|ies)|examples?) (?:below|that follows?)\b|\b(?:following|below) (?:case stud|example)"
    r"|\boffer an? case study\b",
    re.I,
)


def _bound_case_studies(case_of_block: dict[int, str | None], texts: dict[int, str], overrides: Overrides) -> None:
    """Takes from a case study the paragraphs that announce it, and those before its reviewed opening: the page's
    own text that a page-wide case study took in ('A good housing policy is essential …', a councillor's quote on
    housing, was cited as Wycombe's Healthy Homes on Prescription; 'The two case studies below illustrate …' as
    West Kent's)."""
    for i, case in case_of_block.items():
        if case and _ANNOUNCES_A_CASE_STUDY.search(texts[i]):
            case_of_block[i] = None
    for title, words in overrides.case_study_openings.items():
        members = sorted(i for i, case in case_of_block.items() if case == title)
        opening = next((i for i in members if normalise(texts[i]).startswith(normalise(words))), None)
        if opening is None:  # an override the text no longer matches changes nothing (tests/ingest check each one)
            continue
        for i in members:
            if i < opening:
                case_of_block[i] = None


def _heading_anchors(
    blocks: list[Block], texts: dict[int, str], headings: dict[str, int], openers: set[int], first_page: int
) -> list[tuple[int, int]]:
    """Pages of headings a reviewed contents table gives: the first page after the front matter that prints it."""
    anchors = []
    for heading, page in headings.items():
        wanted = normalise(heading)
        for i, block in enumerate(blocks):
            if block.page_index <= first_page or block.page_index in openers:
                continue
            if normalise(texts[i]).startswith(wanted):
                anchors.append((block.page_index, page))
                break
    return anchors


def _partnership_anchors(
    blocks: list[Block], labels: dict[int, _Label], texts: dict[int, str], entries: list, aliases: dict[str, list[str]]
) -> list[tuple[int, int]]:
    """A partnership listed on the contents page is introduced on the first comparison page that names it."""
    generic_pages = sorted({blocks[i].page_index for i, label in labels.items() if label.generic})
    anchors = []
    for entry in entries:
        for page_index in generic_pages:
            on_page = [i for i, b in enumerate(blocks) if b.page_index == page_index]
            if any(entry.title in _mentions(texts[i], {entry.title: aliases.get(entry.title, [entry.title])}) for i in on_page):
                anchors.append((page_index, entry.page))
                break
    return anchors


def _footnote_target(index: int, blocks: list[Block], texts: dict[int, str]) -> int | None:
    """The paragraph carrying the footnote's marker ('…in the area2.'), else the text just before it."""
    match = FOOTNOTE.match(texts[index])
    if not match:
        return None
    number = match.group("n")
    page = blocks[index].page_index
    candidates = [i for i in range(len(blocks)) if blocks[i].kind == "text" and page - 1 <= blocks[i].page_index <= page]
    pattern = re.compile(rf"(?<=[A-Za-z)”’.,:]){number}(?!\d)")
    for i in reversed(candidates):
        if i != index and pattern.search(texts[i]):
            return i
    before = [i for i in candidates if i < index and blocks[i].page_index == page]
    return before[-1] if before else None


def is_back_cover(page: Page, publishers: Sequence[str]) -> bool:
    """Whether a document's last page is its back cover, the publishers' own words about themselves: it names every
    publisher. Without this it was read as the last chapter's, under the last heading before it (the toolkit's back
    cover was cited as 'Collaborating for devolution and structural reform, Key learning points')."""
    if not publishers:
        return False
    text = normalise(" ".join(line.text for line in page.content()))
    return all(normalise(name) in text for name in publishers)


def _case_studies(
    source: str,
    labels: dict[int, _Label],
    title_of_label: dict[int, str],
    matches: dict[int, object],
    blocks: list[Block],
    page_numbers: list[int | None],
    chapter_of_page: list[str],
    unmatched_entries: list,
) -> list[CaseStudy]:
    seen: dict[str, CaseStudy] = {}
    for index, label in labels.items():
        if label.generic:
            continue
        title = title_of_label[index]
        entry = matches.get(index)
        page_index = blocks[index].page_index
        page = entry.page if entry is not None else page_numbers[page_index]  # type: ignore[attr-defined]
        seen.setdefault(title, CaseStudy(slugify(title), title, chapter_of_page[page_index], page, source, label.title))
    generic_pages = [blocks[i].page_index for i, label in labels.items() if label.generic]
    body = [chapter for chapter in chapter_of_page if chapter != BACK_MATTER] or chapter_of_page  # not the back cover
    for entry in unmatched_entries:
        chapter = chapter_of_page[generic_pages[0]] if generic_pages else body[-1]
        seen.setdefault(entry.title, CaseStudy(slugify(entry.title), entry.title, chapter, entry.page, source, None))
    return sorted(seen.values(), key=lambda c: (c.page or 10_000, c.title))
