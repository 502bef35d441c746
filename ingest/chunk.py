"""Structure-aware chunking: passages of roughly 80–250 words that never cross a chapter or case study."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.models import Mark, Paragraph, Passage
from core.text import PARAGRAPH_BREAK, split_sentences, stable_id, word_count

MIN_WORDS = 80
MAX_WORDS = 250


@dataclass
class _Draft:
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(word_count(p.text) for p in self.paragraphs)

    def unit(self) -> tuple[str, str | None] | None:
        return (self.paragraphs[0].chapter, self.paragraphs[0].case_study) if self.paragraphs else None


def _split_long(paragraph: Paragraph, max_words: int) -> list[Paragraph]:
    """Cut an over-long paragraph at sentence ends; offsets are kept on the whole paragraph's span."""
    if word_count(paragraph.text) <= max_words:
        return [paragraph]
    parts: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(paragraph.text):
        if current and word_count(" ".join([*current, sentence])) > max_words:
            parts.append(_rejoined(current, paragraph.text))
            current = []
        current.append(sentence)
    if current:
        parts.append(_rejoined(current, paragraph.text))
    return [Paragraph(**{**paragraph.__dict__, "text": part}) for part in parts]


def _rejoined(sentences: list[str], text: str) -> str:
    """Sentences joined as their paragraph printed them: a heading on a line of its own stays on it."""
    joined = sentences[0]
    for previous, sentence in zip(sentences, sentences[1:]):
        joined += ("\n" if f"{previous}\n" in text else " ") + sentence
    return joined


def _cited_under(paragraph: Paragraph) -> str | None:
    """The section a passage opening on this paragraph is named by (and searched by)."""
    return paragraph.page_title or paragraph.section


def _printed_under(paragraph: Paragraph) -> str | None:
    """The heading this paragraph's words are printed under, which a sentence quoted from it is cited under."""
    return paragraph.printed_under or _cited_under(paragraph)


def _marks(paragraphs: list[Paragraph], texts: list[str]) -> tuple[Mark, ...]:
    """Where a paragraph is printed under another heading or on another page than the one before it (for the first,
    than the passage is named by)."""
    marks: list[Mark] = []
    offset = 0
    place = (_cited_under(paragraphs[0]), paragraphs[0].page)
    for paragraph, text in zip(paragraphs, texts):
        printed = (_printed_under(paragraph), paragraph.page)
        if printed != place:
            marks.append(Mark(offset, *printed))
            place = printed
        offset += len(text) + len(PARAGRAPH_BREAK)
    return tuple(marks)


def _passage(source: str, paragraphs: list[Paragraph]) -> Passage:
    first = paragraphs[0]
    texts = [f"{p.text}\n{p.said_by}" if p.said_by else p.text for p in paragraphs]
    text = PARAGRAPH_BREAK.join(texts)
    footnotes = tuple(f for p in paragraphs for f in p.footnotes)
    return Passage(
        id=stable_id(source, text),
        source=source,
        start=min(p.start for p in paragraphs),
        end=max(p.end for p in paragraphs),
        chapter=first.chapter,
        section=_cited_under(first),
        case_study=first.case_study,
        page=first.page,
        earliest_page=first.earliest_page,
        latest_page=first.latest_page,
        surrounding_section=first.surrounding_section,
        text=text,
        footnotes=footnotes,
        marks=_marks(paragraphs, texts),
    )


def chunk_paragraphs(
    paragraphs: Iterable[Paragraph], source: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS
) -> list[Passage]:
    """Group paragraphs into passages; a new passage starts at a new unit, a new section or the size cap."""
    passages: list[Passage] = []
    draft = _Draft()

    def flush() -> None:
        nonlocal draft
        if draft.paragraphs:
            passages.append(_passage(source, draft.paragraphs))
        draft = _Draft()

    for whole in paragraphs:
        for paragraph in _split_long(whole, max_words):
            unit = (paragraph.chapter, paragraph.case_study)
            if draft.paragraphs and draft.unit() != unit:
                flush()
            elif draft.paragraphs and paragraph.section != draft.paragraphs[-1].section and draft.words >= min_words:
                flush()
            elif draft.paragraphs and draft.words + word_count(paragraph.text) > max_words:
                flush()
            draft.paragraphs.append(paragraph)
    flush()
    return _dedupe_ids(passages)


def _dedupe_ids(passages: list[Passage]) -> list[Passage]:
    """Two identical passages in one source (a repeated quote) still need distinct ids."""
    seen: dict[str, int] = {}
    out: list[Passage] = []
    for passage in passages:
        count = seen.get(passage.id, 0)
        seen[passage.id] = count + 1
        out.append(passage if count == 0 else Passage(**{**passage.__dict__, "id": f"{passage.id}-{count}"}))
    return out
