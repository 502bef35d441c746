"""Answers to questions about the case studies as a collection (`assistant/catalogue.py` reads the question): built
from the store's case studies and passages, each listed case study as a related one the UI opens."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from assistant.answer import (
    Answer,
    Citation,
    cited_quotes,
    format_related,
    quoted_pieces,
    strip_acronym_expansions,
    without_footnote_markers,
)
from assistant.catalogue import catalogue_question, catalogue_text, chapter_sections
from assistant.composition import near_same, quotables
from assistant.retrieval import Hit
from core.lexical import STOP_WORDS
from core.lexical import words as lexical_words
from core.models import CaseStudy, Passage
from core.page_labels import case_study_page_label, passage_page_label
from core.text import collapse_ws, normalise
from stores.base import PassageStore

FindCaseStudies = Callable[[str], list[CaseStudy]]


_MARKER = re.compile(r"\[\d+\]")  # a citation marker


def catalogue_answer(
    question: str,
    earlier_answer: str,
    named: Sequence[str],
    store: PassageStore,
    summaries: Mapping[str, str],
    find: FindCaseStudies,
    encode: Callable[[str], np.ndarray],
) -> Answer | None:
    """How many case studies, which (in a chapter, or about something), what page one starts on, a chapter, a
    case study in full; None when the question is not one of these.

    `named`: the case studies the question names; `summaries`: each case study's one-line summary by id; `find`:
    the case studies retrieval finds for a text; `encode`: the query encoder, to find what a last answer quoted.
    """
    studies = store.case_studies()
    chapters = list(dict.fromkeys(p.chapter for p in store.passages()))
    asked = catalogue_question(question, studies, named, earlier_answer, chapters)
    if asked is None:
        return None
    if asked.kind == "sources":
        return sources_of_last_answer(earlier_answer, store, encode)
    if asked.earlier:
        return page_of_last_answer(earlier_answer, store, encode)
    if asked.kind == "full_text" and asked.by_topic:
        closest = find(question)
        return in_full(closest[0], store, others=closest[1:]) if closest else None
    if asked.kind == "full_text":
        return in_full(next(c for c in studies if c.title == asked.case_study), store)
    # Those the question names first ('which case studies involve Craven?'), then those its words find.
    by_title = {c.title: c for c in studies}
    found = list({c.id: c for c in [*(by_title[t] for t in named), *find(question)]}.values()) if asked.by_topic else []
    shown = found or [
        c
        for c in studies
        if c.title == asked.case_study or (asked.chapter and c.chapter == asked.chapter) or (asked.page and c.page == asked.page)
    ]
    citations = summaries_cited(shown, store, summaries) if asked.by_topic or asked.kind == "page" else []
    quoted = {c.hit.passage.case_study or "": f"{c.sentences[0]} [{c.n}]" for c in citations}
    printed = [p for p in store.passages() if asked.page is not None and p.page == asked.page]
    places = list(dict.fromkeys(" › ".join(x for x in (p.chapter, p.case_study or p.section) if x) for p in printed))
    sections = chapter_sections(store.passages(), asked.chapter) if asked.kind == "chapter" else []
    text = catalogue_text(asked, studies, found, quoted, places, sections, chapters)
    if text is None:
        return None
    if asked.kind == "page" and asked.case_study:
        part = _part_asked(question, by_title[asked.case_study], store, encode, len(citations) + 1)
        if part is not None:
            said, cited = part
            text, citations = f"{text}\n\n{said}", [*citations, cited]
    return Answer(text=text, status="answered", citations=citations, hits=[c.hit for c in citations], related=shown)


# Words of a page question that name no part of a case study: 'what page is the Publica governance stuff on?'
# asks for its governance, and the rest only asks where.
_WHERE_WORDS = frozenset(
    "page pages which what where find read see look cover covers covered covering talk talks mention mentions "
    "discuss discusses describe describes explain explains explained say says said stuff bit bits part parts section sections thing things "
    "info information detail details toolkit case study studies one about how why when who was were did does do is "
    "are it its their they get gets go goes into write-up writeup write up".split()
)


ASPECT_STEM = 6  # letters of a word a sentence must share to say it ('govern' of 'governed' and 'governance')
MIN_ASPECT_LETTERS = 4  # shorter words ('up', 'get') are in every other sentence


def _part_asked(
    question: str, study: CaseStudy, store: PassageStore, encode: Callable[[str], np.ndarray], n: int
) -> tuple[str, Citation] | None:
    """Where in a case study the part a page question names is ('what page is the Publica governance stuff on?'):
    the start page alone sent a user to page 117 for the governance panel on page 128 (user trial 19). Its closest
    sentence, quoted with its page, cited as source `n`; None when the question names no part, or the closest
    sentence is on the start page."""
    named = set(normalise(study.title).split())
    words = [w for w in lexical_words(question) if w not in STOP_WORDS and w not in _WHERE_WORDS and w not in named]
    passages = _passages_of(study, store)
    if not words or not passages:
        return None
    query = encode(f"{study.title}: {' '.join(words)}")
    stems = [w[:ASPECT_STEM] for w in words if len(w) >= MIN_ASPECT_LETTERS]
    best: tuple[float, Passage, str] | None = None
    for passage in passages:
        quoted = quotables(passage.text, tuple(store.sentences_of(passage.id)))
        if not quoted:
            continue
        # Its own word first ('governance' for 'governed'), then closeness: the model alone put a sentence about
        # partners joining closer to 'Publica governance' than the panel headed by its governance models.
        texts = [collapse_ws(q.whole).lower() for q in quoted]
        says = np.array([sum(stem in text for stem in stems) for text in texts], dtype=np.float32)
        closeness = store.sentence_vectors([q.sentence.row for q in quoted]) @ query + says
        at = int(np.argmax(closeness))
        if best is None or float(closeness[at]) > best[0]:
            chosen = quoted[at]
            best = (float(closeness[at]), passage, " ".join((*chosen.lead_in, chosen.quoted, *chosen.closed)))
    if best is None or best[1].page in (None, study.page):
        return None
    _, passage, sentence = best
    where, place = _where(passage)
    # A paragraph of its own before the quotation, as a case study's label is: these words are ours.
    said = f"Its passage closest to “{' '.join(words)}” is {where}, in {place}:\n\n{sentence} [{n}]"
    return said, Citation(n, Hit(passage, 0.0, 0.0, 0.0), (sentence,))


def in_full(study: CaseStudy, store: PassageStore, others: Sequence[CaseStudy] | None = None) -> Answer:
    """A case study's whole text as the toolkit prints it, passage by passage, each cited (an officer asked for all
    of it: two or three sentences would not do).

    `others`: when the case study was found for what the question describes rather than named, the next closest;
    the answer says it is the closest found and ends with them, since the officer may have meant one of those.
    """
    passages = _passages_of(study, store)
    where = case_study_page_label(study.page)
    opening = (
        f"The case study “{study.title}” in full ({where}):"
        if others is None
        else f"The case study closest to what you describe is “{study.title}”. In full ({where}):"
    )
    body = [f"{without_footnote_markers(p.text, p.footnotes).strip()} [{n}]" for n, p in enumerate(passages, 1)]
    citations = _cited_in_order(passages)
    shown = [study, *(others or [])]
    closing = [format_related(shown[1:])] if len(shown) > 1 else []
    return Answer(
        text="\n\n".join([opening, *body, *closing]), status="answered", citations=citations, hits=[], related=shown
    )


QUOTED_CANDIDATES = 5  # passages read to find the one an answer's sentence was quoted from
# A sentence of an answer and the citation number after it ('… boundary-blind. [2]').
_QUOTED = re.compile(r"([^\n\[\]]{20,}?)\s\[(\d+)\]")


def _quoted_passage(sentence: str, store: PassageStore, encode: Callable[[str], np.ndarray]) -> Passage | None:
    """The passage an answer's sentence was quoted from (the answer's text is all a conversation keeps): of those
    whose sentences come closest, the one holding most of it word for word (the toolkit repeats some sentences)."""
    own = strip_acronym_expansions(sentence.strip(), store.glossary)
    # The toolkit prints some list openings more than once: the passage holding most of its pieces.
    pieces = quoted_pieces(sentence, store.glossary)
    longest = max(pieces, key=len)
    found = [i for text in dict.fromkeys([own, longest]) for i, _ in store.sentence_search(encode(text), QUOTED_CANDIDATES)]
    closest = [store.passage(i) for i in dict.fromkeys(found)]
    if not closest:
        return None
    return max(closest, key=lambda p: sum(piece in collapse_ws(p.text) for piece in pieces))


def _passages_of(study: CaseStudy, store: PassageStore) -> list[Passage]:
    """A case study's passages, in reading order."""
    return [p for p in store.passages() if p.case_study == study.title]


def _cited_in_order(passages: Sequence[Passage]) -> list[Citation]:
    """Whole passages as an answer's sources, numbered in the order given."""
    return [Citation(n, Hit(p, 0.0, 0.0, 0.0), ()) for n, p in enumerate(passages, 1)]


_PAGE_UNREAD = "a page whose number could not be read"


def _where(passage: Passage) -> tuple[str, str]:
    """Its page ('on page 85', 'page unknown') and its place (chapter › case study or section)."""
    where = passage_page_label(passage.page, passage.earliest_page, passage.latest_page).removeprefix("passage ")
    return where, " › ".join(x for x in (passage.chapter, passage.case_study or passage.section) if x)


def page_of_last_answer(said: str, store: PassageStore, encode: Callable[[str], np.ndarray]) -> Answer | None:
    """'What page is that on?': the page of the passage the last answer quoted first, found by its first quoted
    sentence, as a source card to open; then the pages of the others it quoted, in its order (a page only for the
    first sent a user reading the second case study to the wrong page, user trial 17)."""
    passages = _quoted_passages(said, store, encode)
    if not passages:
        return None
    # Each page and place once: two quotations from one case study's page were told as the same page twice.
    first, *others = dict.fromkeys(_where(p) for p in passages)
    where, place = first
    opening = "That answer's first quotation is" if others else "That answer quotes the toolkit"
    on_page = f"{where} of the toolkit" if others else where
    text = (
        f"{opening} {on_page}, in {place}."
        if where != "page unknown"
        else f"{opening} in {place}; its printed page could not be read from the toolkit."
    )
    if others:
        pages = [f"{page if page != 'page unknown' else _PAGE_UNREAD}, in {section}" for page, section in others]
        text += " It also quotes the toolkit " + "; ".join(pages) + "."
    citations = _cited_in_order(passages)
    return Answer(text=text, status="answered", citations=citations, hits=[])


def _quoted_passages(said: str, store: PassageStore, encode: Callable[[str], np.ndarray]) -> list[Passage]:
    """Every passage an answer quoted, in the order of its citation numbers, each found by its first sentence."""
    first_of: dict[str, str] = {}
    for sentence, number in _QUOTED.findall(said):
        first_of.setdefault(number, sentence)
    return list({p.id: p for p in (_quoted_passage(s, store, encode) for s in first_of.values()) if p}.values())


def with_its_page_first(answer: Answer) -> Answer:
    """An answer to 'what page is X on?' that no case study's start page answers: where the passage it quotes first
    is, said first ('what page is the collaboration curve on?' got four sentences and no page)."""
    if answer.status != "answered" or not answer.citations:
        return answer
    passage = answer.citations[0].hit.passage
    where, place = _where(passage)
    if where == "page unknown":
        return answer
    body = answer.text
    label, _, rest = body.partition("\n\n")
    if passage.case_study and rest and label.startswith(passage.case_study) and label.endswith(":"):
        # The line above names the case study already: its label again under it read as a second heading (user
        # trial 42: '… on page 96, in Collaborating for better lives › Tackling loneliness (Craven District Council):'
        # then 'Tackling loneliness (Craven District Council) (starts on page 96):'). Where the case study starts on
        # another page than the one quoted, the line says so, as the label did.
        body = rest
        starts = re.search(r"\((starts on page \d+)\):$", label)
        if starts and starts.group(1).removeprefix("starts ") != where:
            place += f" ({starts.group(1)})"
    return replace(answer, text=f"The toolkit has this {where}, in {place}:\n\n{body}")


def page_then_answer(page: Answer | None, answer: Answer) -> Answer:
    """The page asked for, then the answer to the rest of the question. Only the page answer's opening line is kept
    (its sources would be numbered twice); where that line quotes a source, the answer's own page is said instead."""
    lead = page.text.split("\n\n", 1)[0] if page is not None else ""
    if page is None or not lead or _MARKER.search(lead):
        return with_its_page_first(answer)
    # The page is answered even where the rest is not covered.
    status = "partial" if answer.status == "not_covered" else answer.status
    related = list({c.id: c for c in [*page.related, *answer.related]}.values())
    return replace(answer, text=f"{lead}\n\n{answer.text}", status=status, related=related)


def sources_of_last_answer(said: str, store: PassageStore, encode: Callable[[str], np.ndarray]) -> Answer | None:
    """'Where does it say that?': every passage the last answer quoted, in its order, each with its page and place
    and cited, so each can be opened and read (a fresh search would answer with other sentences)."""
    passages = _quoted_passages(said, store, encode)
    if not passages:
        return None
    lines = []
    for n, passage in enumerate(passages, 1):
        where, place = _where(passage)
        page = f"{where} of the toolkit" if where != "page unknown" else _PAGE_UNREAD
        # Numbered as its citation, not marked '[n]': these words are ours, and a marker says the toolkit's follow.
        lines.append(f"{n}. {page[0].upper()}{page[1:]}, in {place}.")
    text = "That answer quoted the toolkit here:\n\n" + "\n".join(lines)
    citations = _cited_in_order(passages)
    return Answer(text=text, status="answered", citations=citations, hits=[])


def summaries_cited(studies: Sequence[CaseStudy], store: PassageStore, summaries: Mapping[str, str]) -> list[Citation]:
    """Each case study's one-line summary, cited to the passage it is printed in (none where it was cut short)."""
    citations: list[Citation] = []
    for study in studies:
        summary = summaries.get(study.id, "")
        passage = next((p for p in _passages_of(study, store) if summary in collapse_ws(p.text)), None)
        if summary and not summary.endswith("…") and passage is not None:
            citations.append(Citation(len(citations) + 1, Hit(passage, 0.0, 0.0, 0.0), (summary,)))
    return citations


# Who wrote, commissioned or published the toolkit, and why: its foreword and back cover say, in sentences that
# name whoever made it. 'Who wrote the toolkit?' found nothing close in the toolkit's body and was refused.
# The toolkit itself, not a guide or plan it mentions ('who produced the accompanying guide …?' asks the toolkit).
_THE_TOOLKIT = r"(?:(?:the|this) (?:toolkit|report|document|research|publication)\b|this\s*[?.,]|this$)"
_ABOUT_THE_TOOLKIT = re.compile(
    r"\b(?:who|which (?:organisations?|firms?|companies))\b[^?]{0,30}\b(?:wrote|writes|published|produced|"
    rf"commissioned|authored|made|put together|funded|paid for|prepared|(?:is|was|are|were) behind) {_THE_TOOLKIT}|"
    r"\bwho (?:are|were) (?:the|its) authors?\b|"
    r"\bwhy was (?:the|this) (?:toolkit|report) (?:written|produced|commissioned|made|published)\b",
    re.I,
)
# Sentences of the front matter or back cover that say who made the toolkit and at whose request, most telling first.
_MADE_BY = (
    re.compile(r"\bcommissioned\b", re.I),
    re.compile(r"\b(?:worked closely with|has been supported|supported by)\b", re.I),
    re.compile(r"\bin partnership with\b", re.I),
)
BACK_COVER_PASSAGES = 3  # the last passages of a document: its back cover (who made it, who commissioned it)
MADE_BY_SENTENCES = 3


def asks_who_made_the_toolkit(question: str) -> bool:
    """'Who wrote the toolkit?', 'who commissioned this report?', 'why was the toolkit written?'."""
    return bool(_ABOUT_THE_TOOLKIT.search(question))


def who_made_the_toolkit(store: PassageStore) -> Answer | None:
    """The toolkit's own sentences on who made it and at whose request, from its front matter and back cover, in
    reading order and cited; None where none says so."""
    passages = list(store.passages())
    if not passages:
        return None
    first = passages[0]
    own = [p for p in passages if p.source == first.source]
    front = [p for p in own if p.chapter == first.chapter]
    said = [
        (passage, sentence.text)
        for passage in dict.fromkeys([*front, *own[-BACK_COVER_PASSAGES:]])
        for sentence in store.sentences_of(passage.id)
        if sentence.kind == "sentence"
    ]
    quoted: list[tuple[Hit, str]] = []
    for pattern in _MADE_BY:
        for passage, text in said:
            # The back cover repeats the acknowledgements' sentences: each is quoted once.
            if pattern.search(text) and not any(near_same(text, other) for _, other in quoted):
                quoted.append((Hit(passage, 0.0, 0.0, 0.0), text))
    if not quoted:
        return None
    body, citations = cited_quotes(quoted[:MADE_BY_SENTENCES])
    return Answer(text=body, status="answered", citations=citations, hits=[c.hit for c in citations])
