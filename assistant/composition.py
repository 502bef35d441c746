"""Choosing the toolkit's sentences that answer each ask: scored for closeness and for the kind of answer wanted."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from assistant.asks import AnswerType, Ask, asked_clause, corrected
from assistant.aspects import CHANGE, Sought, sought_by
from assistant.case_studies import names_case_study, summary_sentence
from assistant.retrieval import Hit, SearchResult
from assistant.what_is import defined_term
from core.lexical import lexical_tokens
from core.text import (
    PARAGRAPH_BREAK,
    balanced_quotes,
    cell_paragraphs,
    collapse_ws,
    continues_sentence,
    leans_back,
    normalise,
    quotable,
)
from stores.base import PassageStore, Sentence

LIST_ITEMS = 4  # items of a list to quote after the sentence that introduces it
# A bulleted list is quoted to its last bullet (up to BULLETS), its introduction may be short ('District-led
# collaboration is:') and it is as close to the ask as its closest item. Measured on dev (fact recall / cited
# evidence): blind 0.340 -> 0.348 / 0.733 -> 0.742, curated 0.696 -> 0.709 / 0.848 unchanged.
BULLETS = 8
BULLET_RUN_ON = 2  # sentences a bullet may run on for before the next bullet still belongs to its list
RANK_PRIOR = 0.2  # how much a sentence gains from its passage's rank
OVERLAP_WEIGHT = 0.15  # how much from the share of the ask's words it uses
TYPE_BONUS = 0.12  # how much from carrying the kind of answer the ask wants
ENTITY_BONUS = 0.08  # how much from a passage that names what the question names (its case study, section or text)
PER_PASSAGE = 2  # sentences quoted from one passage
SPECIFIC: frozenset[AnswerType] = frozenset({"amount", "count", "date", "definition", "outcome"})
# An unfinished line of no more words than this, not a bullet, may be a heading, a table header or a chart label.
UNFINISHED_HEADING_WORDS = 12
# What keeps such a line a statement: a label and what it names ('Key enablers: boundary spanners and shared
# insight'), or a verb that says something ('District/county collaboration can unlock …'). Headings the toolkit
# writes as claims carry facts; a column header or two headings run together carry none.
_SAYS = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|can|could|will|would|should|may|might|must|do|does|did|need|needs)\b",
    re.I,
)
_STATES = re.compile(rf":|{_SAYS.pattern}", re.I)
QUOTE_REACH = 2  # sentences a quotation may run on for before the answer gives up on closing it
KEEP_WITHIN = 0.4  # a sentence this far below its ask's best answers it no more
# Past each ask's best, a sentence from another case study than the one the question names and the answer opens
# with loses this much. Measured on dev: 0.1 gained the blind set facts and cost the curated none; without the
# question naming it (any case study the answer opened with) the curated set lost facts.
OTHER_CASE_PENALTY = 0.1

_NUMBER = r"\b\d[\d,.]*\b"
_WORD_NUMBER = r"\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|hundred|thousand)\b"
# What a sentence that gives each kind of answer carries.
_CARRIES: dict[AnswerType, re.Pattern[str]] = {
    "amount": re.compile(r"£\s?\d|\d\s?%|\bper cent\b|\b\d[\d,.]*\s?(m|bn|k|million|billion)\b", re.I),
    "count": re.compile(f"{_NUMBER}|{_WORD_NUMBER}", re.I),
    "date": re.compile(
        r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|november|december)\b",
        re.I,
    ),
    # Not any percentage ('ranks in the 20% most deprived areas'; a change figure is `aspects.CHANGE`'s) nor a name
    # as it is now ('Jephson Housing (now Stonewater Housing)'), which user trial 37 got as what an estate project
    # achieved.
    "outcome": re.compile(
        rf"£\s?\d|{CHANGE.given.pattern}|\b(saved?|savings?|reduced|reduction|increased|improved|delivered|achieved|"
        r"resulted|generated|secured|prevented)\b|(?<!\()\bnow\b",
        re.I,
    ),
    "reason": re.compile(
        r"\b(because|so that|in order to|helps?|enables?|allows?|benefits?|means|ensures?|key|important)\b", re.I
    ),
    "how_to": re.compile(r"\b(should|need to|needs to|by|through|can be|involves?|approach|steps?|first)\b", re.I),
    "name": re.compile(r"\b[A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][a-z]+)+\b|\b[A-Z]{2,}\b"),
    "place": re.compile(r"\b(in|at|across|within)\s+[A-Z][a-z]+"),
}
_DEFINES = r"\s+(?:is|are|was|refers? to|means|describes?|shows|involves|covers|can be defined as)\b"


@dataclass(frozen=True)
class Candidate:
    """A toolkit sentence as a possible answer to one ask, with what completes it."""

    text: str
    hit: Hit
    ask: int
    wants: AnswerType
    score: float
    continuation: tuple[str, ...] = ()  # the list items a sentence ending in ':' introduces
    run_on: tuple[str, ...] = ()  # the rest of a sentence the PDF broke across lines ('– found that…')
    gives_wanted: bool = False  # carries the kind of answer its ask wants (an amount for 'how much')
    features: tuple[float, ...] = ()  # what the fitted scorer weighs (`FEATURES`), kept so it can be refitted
    # The sentence's embedding (unit length), so an answer can prefer sentences that say something not yet said.
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    lead_in: tuple[str, ...] = ()  # the sentence before, for one that opens on what it named ('It is …')
    follow_on: tuple[str, ...] = ()  # the sentence after, which opens on what this one names ('It is …')
    said_by: tuple[str, ...] = ()  # the line naming who said a quotation ('Jake Berry MP – Commons debate …')
    # The sentence after it in its paragraph, which it carries when it opens its ask's answer (`select`'s
    # `goes_on`); not one of its `parts` unless carried.
    goes_on: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # Items of a numbered list going on from a passage before ('4 Engage on …', then '5 …'): each one an item, joined
    # as the items after an introduction are.
    goes_on_listing: bool = False

    @property
    def parts(self) -> tuple[str, ...]:
        return (*self.lead_in, self.text, *self.run_on, *self.said_by, *self.follow_on, *self.continuation)

    def render(self) -> str:
        sentence = " ".join((*self.lead_in, self.text, *self.run_on, *self.said_by, *self.follow_on))
        if not self.continuation:
            return f"{sentence.rstrip(' .;:')}." if self.goes_on_listing else sentence
        # An item ending on a colon whose link or figure was printed on a line of its own keeps its name only.
        items = "; ".join(item.rstrip(" .;:") for item in self.continuation)
        joined = f"{sentence.rstrip(' .;:')}; {items}" if self.goes_on_listing else f"{sentence} {items}"
        return joined + ("" if items.endswith(("?", "!")) else ".")  # a list ending in a question is not closed '?.'


def ends_a_statement(sentence: str, passage: str) -> bool:
    """Ends as a sentence does, is an item of a bulleted list, or carries no figure; not an infographic's or a
    table's cell ('£1 saves £108.27 over 10 years in prevented falls'). A small guard: cells are marked at ingest.
    Measured on dev: guarding every unfinished line cost the curated set more facts than it gained the blind."""
    text = sentence.rstrip()
    if not re.search(r"\d", text):  # an unfinished line without a figure is more often a heading than a cell
        return True
    return _finished_or_bulleted(text, passage)


def _finished_or_bulleted(text: str, passage: str) -> bool:
    """Ends as a sentence does, or is an item of a bulleted list in its passage."""
    return text[-1:] in (".", "!", "?", "”", "’", '"', ")", "…", ":", ";") or f"• {text[:40]}" in collapse_ws(passage)


# What the checks below find in a stored sentence never changes, and /ask scores the same few hundred sentences
# for every question: each is worked out once (bounded, so a re-indexed corpus's old sentences age out).
STORED_FACTS = 16384


@lru_cache(maxsize=STORED_FACTS)
def states_nothing(sentence: str, passage: str) -> bool:
    """A column header, a chart's label or two headings run together ('Count of district councils in LEP area',
    'Collaborating on infrastructure and investment Land value capture'): short, unfinished, not a bullet, with
    neither a label's colon nor a verb that says something."""
    text = sentence.rstrip()
    return not (
        len(text.split()) > UNFINISHED_HEADING_WORDS or _STATES.search(text) or _finished_or_bulleted(text, passage)
    )


@lru_cache(maxsize=STORED_FACTS)
def only_names(sentence: str, passage: str) -> bool:
    """A label and what it names, unfinished and without a verb ('Key enablers: selflessness and distributed
    leadership'): it answers 'what are the enablers?', but says no reason and no way to do anything."""
    text = sentence.rstrip()
    return (
        ":" in text
        and len(text.split()) <= UNFINISHED_HEADING_WORDS
        and not _SAYS.search(text)
        and not _finished_or_bulleted(text, passage)
    )


@lru_cache(maxsize=STORED_FACTS)
def quotable_statement(sentence: str, passage: str) -> bool:
    return quotable(sentence) and ends_a_statement(sentence, passage)


@lru_cache(maxsize=STORED_FACTS)
def sentence_tokens(sentence: str) -> frozenset[str]:
    return frozenset(lexical_tokens(sentence))


@lru_cache(maxsize=STORED_FACTS)
def unglued(sentence: str) -> str:
    return without_glued_heading(sentence)


@lru_cache(maxsize=STORED_FACTS)
def passage_about(case_study: str, section: str, text: str) -> str:
    """The words that say what a passage is about (its case study, section and text), in comparison form."""
    return normalise(f"{case_study} {section} {text}")


def closing_quote(sentences: Sequence[str]) -> tuple[str, ...] | None:
    """The sentences that close a quotation the first one opens (none if it opens none); None if none closes it, or
    if the first closes a quotation an earlier sentence opened: alone its closing mark would dangle, and run on it
    'balanced' itself by pulling in the next quotation's opening (and any heading between)."""
    if sentences[0].count("”") > sentences[0].count("“"):
        return None
    for end in range(1, min(len(sentences), QUOTE_REACH + 1) + 1):
        if balanced_quotes(" ".join(sentences[:end])):
            return tuple(sentences[1:end])
    return None


# A heading the PDF ran into the sentence after it: 'Changing the governance model The Five councils explored …'.
# Prose puts a comma or a full stop before a capitalised 'However,'; a heading does not ('Sharing between district
# and county councils However, sharing management …').
_GLUED_HEADING = re.compile(
    r"^(?P<heading>.{3,120}?[a-z’'”)])\s+"
    r"(?=(?:The|This|These|Their|Its|It|In|As|We|Our|Since|Following|All|Both|Each|Many|Most|Several|When|While|If)\s"
    r"|However,\s)"
)


_NEEDS_OBJECT = frozenset("with of by to from and or for in on at as into than via is are was were the a an".split())
# A heading run into a sentence that opens on a name and its verb ('… to local needs Publica was created …'), or on
# 'There', 'How', 'Which', 'What', 'Why' or 'Key'. Far more often than a heading, such a run is a sentence's own
# opening ('The three West Kent districts …'), so this heading must look like one: ten words at most, not opening
# as a sentence does ('The', 'It', 'As', …) and not ending where a phrase goes on ('three', 'existing', 'that').
_VERB = r"(?:was|were|is|are|has|have|had|will|can|could|would|should|may|might|must|did|does|do|need|[a-z]+ed|[a-z]+s)"
_GLUED_BEFORE_NAME = re.compile(
    rf"^(?P<heading>[A-Z][^.,;:!?“”\"()]{{2,110}}?\b[a-z][a-z’'-]+)\s+"
    rf"(?=(?:[A-Z][\w’'&-]*\s+){{1,5}}{_VERB}\b|(?:There|How|Which|What|Why|Key)\s)"
)
_OPENS_A_SENTENCE = frozenset(
    "the a an it it’s it's its as in on at our one while all both some this these that those there where when if "
    "ensure especially irrespective though although because since for by with from of to".split()
)
_GOES_ON = _NEEDS_OBJECT | frozenset(
    "that all some one two three four five six seven eight nine ten those these this whether where when while "
    "within across main common future non".split()
)
HEADING_WORDS = 10


def _short_heading(match: re.Match[str] | None) -> bool:
    """Whether a match's `heading` group is short and does not end where a phrase goes on ('… that')."""
    if not match:
        return False
    heading = match.group("heading").split()
    return len(heading) <= HEADING_WORDS and heading[-1].lower() not in _GOES_ON


def _heading_before_name(sentence: str) -> re.Match[str] | None:
    match = _GLUED_BEFORE_NAME.match(sentence)
    if not match or not _short_heading(match):
        return None
    heading = match.group("heading").split()
    if heading[0].lower() in _OPENS_A_SENTENCE:
        return None
    return None if re.search(r"(ing|ed|en)$", heading[-1].lower()) else match  # 'as well as understanding TUPE rules'


# A heading whose first word the sentence under it opens on again ('Combined authorities and Metro Mayors Combined
# authorities offer …', 'Outcomes & accountability Outcomes and metrics …').
_GLUED_REPEATING = re.compile(r"^(?P<heading>(?P<opening>[A-Z][\w’'-]+)\b[^.;:!?“”\"]{0,90}?)\s+(?=(?P=opening)\b)")


def _heading_repeated(sentence: str) -> re.Match[str] | None:
    match = _GLUED_REPEATING.match(sentence)
    return match if _short_heading(match) else None


# A heading run into a sentence that opens on a verb's '-ing' form ('Identifying the issue and targeting the solution
# Creating a joint West Kent-wide ‘district offer’ made sense …'): mid-sentence, prose does not capitalise one. A
# place so spelt is followed by its verb ('… with Reading has'), a gerund by what it does.
_GLUED_BEFORE_GERUND = re.compile(
    r"^(?P<heading>[A-Z][^.;:!?“”\"()]{2,110}?\b[a-z][a-z’'-]+)\s+"
    r"(?=[A-Z][a-z]+ing\s+(?!(?:is|are|was|were|has|have|had|will|would|can|could|should|may|might|must|does|did|do)\b)[a-z])"
)


GERUND_HEADING_WORDS = 3  # fewer, and 'Councillors near Reading welcome …' would lose its subject


def _heading_before_gerund(sentence: str) -> re.Match[str] | None:
    match = _GLUED_BEFORE_GERUND.match(sentence)
    if not match or not _short_heading(match) or len(match.group("heading").split()) < GERUND_HEADING_WORDS:
        return None
    return None if match.group("heading").split()[0].lower() in _OPENS_A_SENTENCE else match


def without_glued_heading(sentence: str) -> str:
    """The sentence without a heading run into its start; the rest is still the toolkit's words, as printed."""
    match = _GLUED_HEADING.match(sentence)
    heading = match.group("heading").split() if match else []
    # 'working with The King's Fund' is one sentence: a heading does not end on a word that needs an object.
    if not match or len(heading) > 14 or heading[-1].lower() in _NEEDS_OBJECT:
        match = _heading_before_name(sentence) or _heading_repeated(sentence) or _heading_before_gerund(sentence)
    if not match:
        return sentence
    rest = sentence[match.end() :]
    return rest if len(rest.split()) >= 5 else sentence


_LIST_NUMBER = re.compile(r"\s*(\d{1,2})\.?\s+(?=[A-Z])")


@lru_cache(maxsize=STORED_FACTS)
def without_list_number(sentence: str, passage: str) -> str:
    """'1 Accelerating growth in Greater Lincoln…' → 'Accelerating growth…': the number of an item in a numbered list
    is not part of the sentence. Only where the passage numbers a neighbouring item too, or a line ending in ':'
    introduces the item, so '12 Kent District Councils were…' keeps its count."""
    match = _LIST_NUMBER.match(sentence)
    if not match:
        return sentence
    number = int(match.group(1))
    numbered = any(re.search(rf"(?m)^\s*{n}\.?\s+[A-Z]", passage) for n in (number - 1, number + 1) if n > 0)
    at = passage.find(sentence[: match.end() + 20])
    introduced = at > 0 and passage[:at].rstrip().endswith(":")
    return sentence[match.end() :] if numbered or introduced else sentence


# A kind of thing a name may end with that its definition leaves out ('What's the Lightbulb project?' is answered by
# 'Lightbulb is a partnership programme …').
_KIND_OF_THING = re.compile(
    r"\s+(?:project|programme|program|scheme|initiative|service|partnership|pilot|model|tool|approach|framework)$", re.I
)


@lru_cache(maxsize=STORED_FACTS)
def carries(sentence: str, wants: AnswerType, defined: str | None = None) -> bool:
    """Whether a sentence gives the kind of answer an ask wants ('£100k' for an amount, 'X is …' for a definition)."""
    if wants == "definition":
        if not defined:
            return False
        forms = dict.fromkeys([defined, _KIND_OF_THING.sub("", defined)])
        return any(
            # A name runs on by a capitalised word as printed ('what is Publica?': 'Publica Group is a Joint Venture …').
            re.search(rf"\b{_quoted_or_not(form)}(?:\s+(?-i:[A-Z][a-z]+))?s?['’”]?{_DEFINES}", sentence, re.I)
            # Or named after what it is ('a coherent value proposition …, which can be broadly articulated as a
            # ‘prevention’ offer', user trial 37).
            or re.search(rf"{_NAMED_AS}{_quoted_or_not(form)}\b", sentence, re.I)
            for form in forms
            if form
        )
    pattern = _CARRIES.get(wants)
    return bool(pattern and pattern.search(sentence))


_QUOTE_MARK = "['‘’\"“”]?"
_NAMED_AS = (
    rf"\b(?:known|described|articulated|referred to|defined|called|termed|summarised)\s+as\s+(?:an?\s+|the\s+)?{_QUOTE_MARK}"
)


def _quoted_or_not(term: str) -> str:
    """A term as a pattern that also finds it with quotation marks about a word ('the ‘prevention’ offer')."""
    return rf"{_QUOTE_MARK}\s+{_QUOTE_MARK}".join(re.escape(word) for word in term.split())


def defined_subject(ask: str) -> str | None:
    """The phrase a 'what is X' or 'define X' ask defines, without articles ('what's land value capture' → 'land
    value capture', 'whats this Publica thing?' → 'Publica')."""
    term = defined_term(asked_clause(ask))
    if term:
        return term
    match = re.match(r"^\W*(?:define|meaning of)\s+(?:an?\s+|the\s+)?(.+?)[?.!]*$", ask.strip(), re.I) or _MEANS.search(ask)
    return match.group(1).strip(" '‘’“”\"") if match else None


# 'What does the prevention offer mean?', 'what does 'two-tier' actually mean?': the term, not a pointer to the last
# answer ('what does that mean?') nor what it means for someone ('… mean for us?').
_MEANS = re.compile(
    r"\bwhat (?:does|do) (?:an?\s+|the\s+)?(?!(?:that|this|it|all|they|these|those)\b)(['‘’“\"]?[\w’'-]+(?:\s+[\w’'-]+){0,3}?['’”\"]?)"
    r"(?:\s+(?:actually|really|exactly))?\s+mean\W*$",
    re.I,
)


@dataclass(frozen=True)
class Quotable:
    """A sentence of a passage that an answer may quote, with what completes it: all the passage alone decides."""

    sentence: Sentence
    quoted: str  # as quoted: without a heading run into it, or a list number when it stands alone
    whole: str  # with the sentences that close a quotation it opens or finish it across a line break
    tokens: frozenset[str]
    continuation: tuple[str, ...]  # the list items a sentence ending in ':' introduces
    closed: tuple[str, ...]  # the sentences that finish it
    bullet_rows: tuple[int, ...]  # the rows of the bulleted items it introduces
    lead_in: tuple[str, ...] = ()  # the sentence before it, when it opens on what that one named
    follow_on: tuple[str, ...] = ()  # the sentence after it, when that one opens on what it names
    said_by: tuple[str, ...] = ()  # the line after a quotation it closes, naming who said it
    goes_on: tuple[str, ...] = ()  # the sentence after it in its paragraph (`next_in_paragraph`)


def _in_cells(sentence: str, cells: frozenset[str]) -> bool:
    text = collapse_ws(sentence)
    return any(text in cell for cell in cells)


@lru_cache(maxsize=STORED_FACTS // 8)
def quotables(passage_text: str, ordered: tuple[Sentence, ...]) -> tuple[Quotable, ...]:
    """The sentences of a passage an answer may quote, in reading order.

    Nothing here depends on the question, and /ask reads the same few dozen passages again and again: worked out
    once per passage, this was about half of composing an answer.
    """
    introduces = {s.row: i for i, s in enumerate(ordered) if s.text.rstrip().endswith(":")}
    flat = collapse_ws(passage_text)
    bulleted = {row: bullets(ordered, i, flat) for row, i in introduces.items()}
    following = {row: list_items(ordered, i, bulleted[row]) for row, i in introduces.items()}
    run_on = {
        s.row: (ordered[i + 1].text,)
        for i, s in enumerate(ordered[:-1])
        if continues_sentence(s.text, ordered[i + 1].text, passage_text)
    }
    found: list[Quotable] = []
    cells = cell_paragraphs(passage_text)
    for i, sentence in enumerate(ordered):
        # Table and infographic cells (marked at ingest, or a run of them in the passage) are never quoted as
        # sentences.
        if (
            sentence.kind != "sentence"
            or _in_cells(sentence.text, cells)
            or numbered_heading(sentence.text, passage_text)
            or not (
                quotable_statement(sentence.text, passage_text)
                or (short_introduction(sentence.text) and bulleted.get(sentence.row))
            )
        ):
            continue
        # A quotation it opens runs on to the sentence that closes it: no quotation is left open. closing_quote
        # reads no further than QUOTE_REACH sentences on; whole tails made this quadratic in a passage's sentences.
        closed = run_on.get(sentence.row, ()) or closing_quote([x.text for x in ordered[i : i + QUOTE_REACH + 1]])
        if closed is None:
            continue
        continuation = following.get(sentence.row, ())
        if sentence.text.rstrip().endswith(":") and not continuation:
            continue  # introduces a list its passage does not hold ('… – including:')
        found.append(
            Quotable(
                sentence,
                unglued(without_list_number(sentence.text, passage_text)),
                " ".join((sentence.text, *closed)),
                sentence_tokens(sentence.text),
                continuation,
                closed,
                tuple(item.row for item in bulleted.get(sentence.row, ())),
                _as_quoted(_lead_in(ordered, i, flat, passage_text), passage_text),
                _follow_on(ordered, i, flat, passage_text, closed),
                _said_by(ordered, i + len(closed), flat),
            )
        )
    return next_in_paragraph(tuple(found), ordered, passage_text)


def next_in_paragraph(
    found: tuple[Quotable, ...], ordered: Sequence[Sentence], passage_text: str
) -> tuple[Quotable, ...]:
    """Each quotable sentence with the one printed right after it in its paragraph (`goes_on`), as that one is
    quoted (whole: a line the PDF broke, a quotation it opens): where a passage states its point and then says how
    ('Aligning organisational cultures is one of the biggest challenges …', then what it takes), or names a thing
    and then who ('Publica Group is a Joint Venture Teckal company …', then its four councils). Not after a sentence
    that runs on already or opens a list, nor when the next one opens a list or is no quotable sentence."""
    by_row = {q.sentence.row: q for q in found}
    position = {s.row: i for i, s in enumerate(ordered)}
    with_next = []
    for quote in found:
        at = position[quote.sentence.row]
        after = by_row.get(ordered[at + 1].row) if at + 1 < len(ordered) else None
        if (
            after is None
            or quote.closed
            or quote.continuation
            or after.continuation
            or after.lead_in
            or f"{quote.sentence.text} {after.sentence.text}" not in passage_text
        ):
            with_next.append(quote)
            continue
        with_next.append(replace(quote, goes_on=(after.quoted, *after.closed)))
    return tuple(with_next)


# The line after a quotation that says who said it: a role, a report or a debate, and no sentence of its own ('Jake
# Berry MP – Commons debate on district council collaboration and devolution in England, November 2017', 'District
# interviewee'). Without it a minister's words read as the toolkit's.
_SPEAKER = re.compile(
    r"\b(?:MP|interviewee|chief executive|leader|councillor|cllr|minister|secretary of state|director|officer|"
    r"manager|chair|report|debate|speech|conference)\b",
    re.I,
)
SAID_BY_WORDS = 24  # a post and when it was held: 'Marcus Jones MP, Parliamentary Under-Secretary … as at 1 Dec 2016' (17)


def _said_by(ordered: Sequence[Sentence], last: int, flat_passage: str) -> tuple[str, ...]:
    """The attribution printed right after the quotation ending at `last`, if any."""
    if last + 1 >= len(ordered) or not re.search(r"”\s*\d{0,3}\s*$", ordered[last].text):
        return ()
    line = ordered[last + 1].text.strip()
    # Not a sentence of the toolkit's, ended as they are, a footnote's number after its full stop or not ('… the
    # range of services districts provide.33' names a report, and is no speaker); not a line in square brackets
    # ('Chief Executive – Wealden DC [at DCN Conference]'): an answer's [n] are its sources.
    if re.search(r"[.!?:;”]\d{0,3}\s*$|[\[\]]", line) or len(line.split()) > SAID_BY_WORDS or not _SPEAKER.search(line):
        return ()
    return (line,) if f"{ordered[last].text} {line}" in flat_passage else ()


def _follow_on(
    ordered: Sequence[Sentence], at: int, flat_passage: str, passage_text: str, closed: tuple[str, ...]
) -> tuple[str, ...]:
    """The sentence after one, when it leans back on it ('The Financial Sustainability Fund will …' then 'It is the
    principal mechanism …'): it goes on about what this one named, and often gives its figure. Not after a sentence
    that already runs on (a quotation closed, a line broken), nor one that introduces a list."""
    if closed or at + 1 >= len(ordered) or ordered[at].text.rstrip().endswith(":"):
        return ()
    after = ordered[at + 1]
    if after.kind != "sentence" or not quotable_statement(after.text, passage_text) or not balanced_quotes(after.text):
        return ()
    return (after.text,) if _lead_in(ordered, at + 1, flat_passage, passage_text) == (ordered[at].text,) else ()


LEAD_IN_REACH = 2  # sentences back a lead-in may reach, when the one before leans back too


def _lead_in(
    ordered: Sequence[Sentence], at: int, flat_passage: str, passage_text: str, reach: int = LEAD_IN_REACH
) -> tuple[str, ...]:
    """The sentence before one that opens on what it named ('It is the principal mechanism …' after the sentence
    naming the fund), when it is a whole statement printed right before it: quoted together, the answer says
    what 'it' is. When that one leans back too ('In 2018/19, it is proposed …'), the one before it as well, so far
    as `reach` goes: alone, 'It is the principal mechanism …' was read after another fund's sentence (user trial
    19)."""
    if at == 0 or not leans_back(ordered[at].text):
        return ()
    before = ordered[at - 1]
    if before.kind != "sentence" or before.text.rstrip().endswith(":") or not balanced_quotes(before.text):
        return ()
    if not quotable_statement(before.text, passage_text) or f"{before.text} {ordered[at].text}" not in flat_passage:
        return ()
    if not _finished_or_bulleted(before.text.rstrip(), passage_text) and not _in_one_paragraph(before.text, ordered[at].text, passage_text):
        # A line with no full stop ending its paragraph is a table's cell or a heading ('… and there is evidence of
        # a good deal of local support', the merger test's cell, beside 'The districts have all invested …'): quoted
        # before the next paragraph, the two read as one sentence.
        return ()
    if leans_back(before.text):
        earlier = _lead_in(ordered, at - 1, flat_passage, passage_text, reach - 1) if reach > 1 else ()
        return (*earlier, before.text) if earlier else ()
    return (before.text,)


def _in_one_paragraph(first: str, second: str, passage_text: str) -> bool:
    """Whether `second` follows `first` inside one of the passage's paragraphs."""
    joined = f"{collapse_ws(first)} {collapse_ws(second)}"
    return any(joined in collapse_ws(paragraph) for paragraph in passage_text.split(PARAGRAPH_BREAK))


def numbered_heading(sentence: str, passage_text: str) -> bool:
    """A numbered item's title ('1 Accelerating growth in Greater Lincoln through better planning.', '2 Greater
    resilience through a one team approach.'): short, and stating nothing; the sentences after it say it."""
    unnumbered = without_list_number(sentence, passage_text)
    return unnumbered != sentence and len(unnumbered.split()) <= HEADING_WORDS and not _STATES.search(unnumbered)


# A quotation printed large on its own, unpunctuated before its closing mark ('“It was not a grand plan from the
# start to join up all services”'): the page's text runs on around it.
_PULL_QUOTE = re.compile(r"^[“\"][^“”\"]+[^.!?,;:…“”\"\s][”\"]$")


def _as_quoted(lead_in: tuple[str, ...], passage_text: str) -> tuple[str, ...]:
    """A lead-in as an answer quotes it: without a heading the PDF ran into it ('Economies of scale and
    market-shaping influence As the existing contract …'); none when it is a numbered heading or a pull-quote, which
    say nothing a pronoun after them could lean on ('“It was not a grand plan …” Both parties agreed …': both
    councils, named before the quote)."""
    if any(numbered_heading(sentence, passage_text) or _PULL_QUOTE.match(sentence.strip()) for sentence in lead_in):
        return ()
    return tuple(unglued(without_list_number(sentence, passage_text)) for sentence in lead_in)


# What a sentence's fitted score weighs (see `sentence_features`); the weights are fitted on the dev split by
# `python -m evals.fit_selection` and kept, reviewed, in SELECTION_WEIGHTS.
FEATURES = (
    "cosine",  # closeness to the ask (for a follow-up, also to what is asked now)
    "overlap",  # share of the ask's words the sentence uses
    "rank",  # 1 / (1 + its passage's rank)
    "retrieval",  # its passage's retrieval score, relative to the top passage's
    "gives",  # carries the kind of answer the ask wants
    "gives_specific",  # … and the ask wants a figure, a date, a definition or an outcome
    "entity",  # its passage names what the question names
    "list_gain",  # how much closer the closest item of the list it introduces is than itself
    "number",  # holds a figure
    "position",  # where in its passage it sits, 0 (first) to 1 (last)
    "first",  # the first quotable sentence of its passage
    "words",  # its length, log words
    "introduces",  # introduces a list
    "case_rest",  # from a case study's other passages, not the ask's own top passages
    "signposts",  # speaks of the toolkit itself ('We also consider …', 'In this section we outline …')
)
# The toolkit's sentences about itself: what a chapter does, what a case study below shows. They name what an ask
# names ('We also propose a framework for use by districts considering new shared service arrangements.') but
# rarely answer it; the fitted weight says how much that counts.
_SIGNPOSTS = re.compile(
    r"^(?:(?:In|Within|Throughout) (?:this|the following|the next|the previous|each) (?:chapter|section|toolkit|report|part)"
    r"|This (?:chapter|section|toolkit|report|part)\b"
    r"|We (?:also |then |now |further |briefly )?(?:consider|examine|explore|propose|set out|look at|outline|discuss|"
    r"describe|summarise|present|highlight|offer|draw|turn|have (?:selected|drawn|included|identified|chosen|set out|also))"
    r"|Our (?:central messages|case study)"
    r"|(?:The|These) (?:following|next|two|three) (?:case stud|section|chapter|page)|Below,? we"
    r"|(?:The|This) (?:case study|example) below)",
    re.I,
)
SELECTION_WEIGHTS = Path(__file__).with_name("selection_weights.json")
# Composition's weights over FEATURES, set by hand: the score when `fitted_selection` is off, and the weights a fit
# is drawn from (evals/fit_selection.py). One table, so the hand score and what the fit starts from cannot part.
HAND_WEIGHTS: Mapping[str, float] = MappingProxyType(
    dict.fromkeys(FEATURES, 0.0)
    | {"cosine": 1.0, "overlap": OVERLAP_WEIGHT, "rank": RANK_PRIOR, "gives": TYPE_BONUS, "entity": ENTITY_BONUS, "list_gain": 1.0}
)


_DIGIT = re.compile(r"\d")


def sentence_features(
    cosine: float,
    overlap: float,
    hit_index: int,
    relative_score: float,
    gives: bool,
    wants: AnswerType,
    entity: bool,
    list_gain: float,
    quote: Quotable,
    at: int,
    count: int,
    hits_considered: int,
) -> tuple[float, ...]:
    """The `FEATURES` of one candidate, in order: all cheap, all known where composition scores a sentence."""
    return (
        cosine,
        overlap,
        1 / (1 + hit_index),
        relative_score,
        float(gives),
        float(gives and wants in SPECIFIC),
        float(entity),
        list_gain,
        float(bool(_DIGIT.search(quote.whole))),
        at / max(1, count - 1),
        float(at == 0),
        math.log(1 + len(quote.whole.split())),
        float(bool(quote.continuation)),
        float(hit_index >= hits_considered),
        float(bool(_SIGNPOSTS.match(quote.quoted))),
    )


@lru_cache(maxsize=4)
def load_selection_weights(path: Path = SELECTION_WEIGHTS) -> dict[str, float]:
    """The fitted weights, one per feature (in cosine units: the score reads like the hand-weighted one)."""
    weights: dict[str, float] = json.loads(path.read_text(encoding="utf-8"))["weights"]
    missing = set(FEATURES) - set(weights)
    if missing:
        raise ValueError(f"{path}: no weight for {sorted(missing)}; refit with python -m evals.fit_selection")
    return weights


def fitted_score(features: Sequence[float], weights: Mapping[str, float]) -> float:
    """A sentence's score under the fitted weights: the logistic regression's log-odds, without its intercept
    (it moves every sentence alike), in cosine units."""
    return weighted(features, in_feature_order(weights))


def in_feature_order(weights: Mapping[str, float]) -> tuple[float, ...]:
    """The weights in FEATURES order, so that scoring each sentence looks up no names."""
    return tuple(weights[name] for name in FEATURES)


def weighted(features: Sequence[float], ordered_weights: Sequence[float]) -> float:
    """`fitted_score` with the weights already in FEATURES order."""
    return float(sum(weight * value for weight, value in zip(ordered_weights, features)))


# An ask for the members of a set the toolkit lists ('what are the stages of the collaboration curve?', 'list the
# seven ways', 'give me each test'): the sentence that opens a bulleted list of them answers it whole.
_SET_MEMBERS = (
    r"(?:stages?|steps?|phases?|ways?|tests?|principles?|enablers?|criteria|options|elements|components|types|tools|"
    r"questions|recommendations|lessons|learning points|points|actions|priorities|themes|datasets|data sets|statistics|"
    r"sources|resources)"
)
_LIST_ASKED = re.compile(
    rf"\b(?:list|name|give me|tell me)\b[^?]{{0,60}}\b{_SET_MEMBERS}\b"
    rf"|\b(?:what|which)\b(?:\s+[\w’']+){{0,3}}?\s+{_SET_MEMBERS}\b"
    rf"|\b(?:all|each|every)\b(?:\s+[\w’']+){{0,2}}?\s+{_SET_MEMBERS}\b"
    r"|\b(?:full|whole|complete|entire) list\b|\blist (?:them|all|the)\b",
    re.I,
)


def asks_for_list(ask: str) -> bool:
    """Whether an ask wants the members of a listed set, not a description of one."""
    return bool(_LIST_ASKED.search(ask))


WEB_ADDRESS = re.compile(r"(?:https?://|\bwww\.)\S*", re.I)
# Asking where to read more ('where can we find the guidance?', 'any links on this?'), which a reading list answers.
_ASKS_FOR_READING = re.compile(
    r"\b(?:read|reading|links?|websites?|web ?sites?|online|resources?|guidance|publications?|documents?|reports?|"
    r"sources?|find out more|more information|more info|further information|where can (?:i|we|you) (?:find|get|see))\b",
    re.I,
)


def reading_list_entry(sentence: str) -> bool:
    """A title and its web address, saying nothing else ('Better together: Building a successful joint venture
    company: https://…'), unlike a sentence that gives an address ('… produced by Trowers & Hamlins LLP and is
    available on their website: www.trowers.com/dcncollaborate')."""
    if not WEB_ADDRESS.search(sentence):
        return False
    return not _SAYS.search(WEB_ADDRESS.sub(" ", sentence))


def sentence_candidates(
    ask: Ask,
    ask_index: int,
    result: SearchResult,
    store: PassageStore,
    hits_considered: int,
    entities: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    example_preference: float = 0.0,
    list_preference: float = 0.0,
    reason_preference: float = 0.0,
) -> list[Candidate]:
    """Every quotable sentence of the top passages of the ask's own search, scored as an answer to the ask: by
    `weights` fitted on the dev split (`load_selection_weights`) when given, else by `HAND_WEIGHTS` (closeness to
    the ask first; the passage's rank, shared words and the wanted kind break near-ties)."""
    query_tokens = set(lexical_tokens(result.query.lexical))
    # Spelled as the toolkit spells it ('what is the collabaration curve?' defines the collaboration curve).
    defined = defined_subject(corrected(ask.text, result.query.corrections)) if ask.wants == "definition" else None
    names = [normalise(e) for e in entities]
    candidates: list[Candidate] = []
    hits = [*result.hits[:hits_considered], *_rest_of_case_study(ask, result, store, hits_considered)]
    top_score = result.hits[0].score if result.hits else 0.0
    wants_list = list_preference > 0 and asks_for_list(ask.text)
    weight_row = in_feature_order(HAND_WEIGHTS if weights is None else weights)
    for hit_index, hit in enumerate(hits):
        quotable_here = quotables(hit.passage.text, tuple(store.sentences_of(hit.passage.id)))
        if not quotable_here:
            continue
        about = passage_about(hit.passage.case_study or "", hit.passage.enclosing_section or "", hit.passage.text)
        vectors = store.sentence_vectors([q.sentence.row for q in quotable_here])
        similarity = closeness(vectors, result)
        relative = hit.score / top_score if top_score > 0 else 0.0
        for at, (quote, cosine) in enumerate(zip(quotable_here, similarity.tolist())):
            if ask.wants in ("reason", "how_to") and only_names(quote.quoted, hit.passage.text):
                continue  # user trial 34's 'why do selflessness and spreading leadership matter?' got this label alone
            if reading_list_entry(quote.quoted) and not _ASKS_FOR_READING.search(ask.text):
                continue  # 'Better together: Building a successful joint venture company: https://…' answers no more
            overlap = len(quote.tokens & query_tokens) / max(1, len(query_tokens))
            # An example is a case study; any other kind of answer is in the sentence's own words.
            gives = bool(hit.passage.case_study) if ask.wants == "example" else carries(quote.whole, ask.wants, defined)
            named = bool(names) and any(name in about for name in names)
            list_gain = 0.0
            if quote.bullet_rows:  # a list is as close to the ask as its closest item
                items = store.sentence_vectors(list(quote.bullet_rows))
                list_gain = max(0.0, float(closeness(items, result).max()) - cosine)
            features = sentence_features(
                cosine, overlap, hit_index, relative, gives, ask.wants, named, list_gain, quote, at,
                len(quotable_here), hits_considered,
            )
            score = weighted(features, weight_row)
            if ask.wants == "example" and not hit.passage.case_study:
                score -= example_preference  # an example is a case study (RetrievalParams.example_case_preference)
            elif ask.wants == "reason" and hit.passage.case_study and not names:
                score -= reason_preference  # the toolkit's own argument (RetrievalParams.reason_toolkit_preference)
            if wants_list and quote.bullet_rows:
                score += list_preference  # 'what are the stages?' is answered by the list that names them
            candidates.append(
                Candidate(
                    quote.quoted,
                    hit,
                    ask_index,
                    ask.wants,
                    score,
                    quote.continuation,
                    quote.closed,
                    gives,
                    features,
                    vectors[at],
                    quote.lead_in,
                    quote.follow_on,
                    quote.said_by,
                    quote.goes_on,
                )
            )
    return sorted(candidates, key=lambda c: -c.score)


# A follow-up searched within its conversation's case study already stays on it: its sentences are judged mostly by
# the follow-up's own words ('how long did the pilot run?'), not by the conversation that found them. Blind dev
# follow-ups' answer facts 0.43 -> 0.48 from an even share (0.5) to 0.75; the same at 1.
SUBJECT_FOCUS = 0.75


def closeness(vectors: np.ndarray, result: SearchResult) -> np.ndarray:
    """How close each sentence is to the ask: for a follow-up, also to what is asked now."""
    similarity = vectors @ result.vector
    if result.focus is not None:
        weight = SUBJECT_FOCUS if result.within_subject else 0.5
        similarity = (1 - weight) * similarity + weight * (vectors @ result.focus)
    return similarity


_SUB_ITEM = re.compile(r"^\s*[–-]\s")  # a dashed item inside a bullet, as the toolkit prints them


def bullets(ordered: Sequence[Any], at: int, flat_passage: str) -> tuple[Any, ...]:
    """The bulleted items that follow a sentence, to the list's last (up to BULLETS): each bullet's first sentence.
    A bullet may run on for a sentence or two ('• Mobilise: getting collaboration off the ground … . The enablers
    …'); the list goes on at the next bullet, and ends where no bullet follows."""
    found: list[Any] = []
    run_on = 0
    for item in ordered[at + 1 :]:
        if f"• {item.text[:40]}" in flat_passage:
            if found and _asks(item.text) != _asks(found[0].text):
                break  # a list of questions after a list of statements (or the reverse) is the next list, its heading lost
            found.append(item)
            run_on = 0
            if len(found) == BULLETS:
                break
        elif found and _SUB_ITEM.match(item.text):
            continue  # '– improving service delivery' under a bullet that ends 'by:': part of that bullet
        elif item.text.rstrip().endswith(":"):
            break  # 'Districts call on local partners to:' opens the next list, whose bullets are not this one's
        elif found and run_on < BULLET_RUN_ON:
            run_on += 1
        else:
            break
    return tuple(found)


_QUESTION = re.compile(
    r"^(?:Do|Does|Did|Is|Are|Was|Were|What|How|Who|Which|Where|Why|When|Can|Could|Should|Would|Will|Have|Has)\b"
)


def _asks(text: str) -> bool:
    """A question put to the reader ('Do partners have a clear narrative?'), not a title with a question mark."""
    return bool(_QUESTION.match(text.strip())) and text.rstrip(" ”’\"'").endswith("?")


def sub_items(ordered: Sequence[Any], at: int) -> tuple[str, ...]:
    """The dashed items the bullet at `at` introduces when it ends in ':', as printed after it."""
    if not ordered[at].text.rstrip().endswith(":"):
        return ()
    found: list[str] = []
    for following in ordered[at + 1 :]:
        if not _SUB_ITEM.match(following.text):
            break
        found.append(following.text.strip())
    return tuple(found)


def list_items(ordered: Sequence[Any], at: int, its_bullets: Sequence[Any]) -> tuple[str, ...]:
    """The items a sentence ending in ':' introduces: its bullets (from `bullets`), else the next LIST_ITEMS
    sentences. A numbered item keeps its number here: it follows its introduction as printed, which is how a quote
    is checked."""
    if its_bullets:
        # A bullet that introduces dashed items of its own ('… in the area by: – improving service delivery – …')
        # is quoted with them: ended at its colon, it would say nothing.
        position = {s.row: i for i, s in enumerate(ordered)}
        return tuple(" ".join((item.text, *sub_items(ordered, position[item.row]))) for item in its_bullets)
    numbered = numbered_items(ordered, at)
    if numbered:
        return numbered
    items: list[str] = []
    for item in ordered[at + 1 : at + 1 + LIST_ITEMS]:
        if item.text.rstrip().endswith(":"):
            break  # it introduces a list of its own: quoted, the answer would end on '…revolves around:.'
        items.append(item.text)
    return tuple(items)


_ITEM_NUMBER = re.compile(r"(\d{1,2})\s+[A-Z]")
ITEM_GAP = 6  # sentences at most between two numbered items of one list (an item's own text)


def numbered_items(ordered: Sequence[Any], at: int) -> tuple[str, ...]:
    """The items of a numbered list a sentence ending in ':' introduces, each item's first sentence and not the
    text under it ('… seven ways to strengthen relationships with your LEP:' then '1 Engage directly …', '2 Engage
    through formal or informal governance arrangements', …): two or more, numbered from 1 without a gap, up to
    BULLETS; () when the sentences after it are no such list."""
    items = _numbered_run(ordered[at + 1 :], 1, BULLETS, lead=0)
    return items if len(items) >= 2 else ()


def _numbered_run(sentences: Sequence[Any], first: int, most: int, lead: int) -> tuple[str, ...]:
    """Items numbered on from `first` without a gap, each item's first sentence, at most ITEM_GAP sentences of an
    item's own text between two and `lead` sentences (the last item's text) before the first; up to `most`."""
    items: list[str] = []
    gap = 0
    for item in sentences:
        number = _ITEM_NUMBER.match(item.text)
        if number and int(number.group(1)) == first + len(items):
            items.append(item.text)
            gap = 0
            if len(items) == most:
                break
        elif gap == (ITEM_GAP if items else lead):
            break
        else:
            gap += 1
    return tuple(items)


LIST_PASSAGES = 2  # passages after its own a numbered list may run on into


def list_going_on(candidate: Candidate, store: PassageStore) -> list[Candidate]:
    """The rest of a numbered list a candidate quotes that runs on past its passage's end, one candidate for each
    passage it runs into, in order ('… seven ways to strengthen relationships with your LEP:' quoted items 1-3 of its
    passage and stopped; items 4-7 are in the two passages after, user trials 26-28); [] for any other candidate."""
    items = candidate.continuation
    numbers = [_ITEM_NUMBER.match(item) for item in items]
    if len(items) < 2 or len(items) >= BULLETS or not all(numbers):
        return []
    if [int(m.group(1)) for m in numbers if m] != list(range(1, len(items) + 1)):
        return []
    passages = store.passages()
    at = next((i for i, p in enumerate(passages) if p.id == candidate.hit.passage.id), None)
    if at is None:
        return []
    going: list[Candidate] = []
    following = len(items) + 1
    for passage in passages[at + 1 : at + 1 + LIST_PASSAGES]:
        if passage.chapter != candidate.hit.passage.chapter or passage.case_study != candidate.hit.passage.case_study:
            break
        found = _numbered_run(store.sentences_of(passage.id), following, BULLETS - following + 1, lead=ITEM_GAP)
        if not found:
            break
        going.append(
            Candidate(found[0], Hit(passage, candidate.hit.score, candidate.hit.dense, 0.0), candidate.ask, candidate.wants,
                      candidate.score, found[1:], goes_on_listing=True)
        )  # fmt: skip
        following += len(found)
    return going


def short_introduction(sentence: str) -> bool:
    """'District-led collaboration is:': too short to quote alone, whole with the bulleted list it introduces."""
    text = sentence.strip()
    return text.endswith(":") and len(text.split()) >= 2 and not text[0].islower()


def sought_for(ask: Ask, result: SearchResult) -> Sought | None:
    """What a sentence must give to answer the ask (`aspects.sought_by`), the ask read as the speller corrected it
    ('how was it fundid?' asks how it was funded)."""
    return sought_by(corrected(ask.text, result.query.corrections))


def _rest_of_case_study(ask: Ask, result: SearchResult, store: PassageStore, hits_considered: int) -> list[Hit]:
    """For a figure or a result asked of a case study ('what did they save?'), the case study's other passages:
    its result sentence is often in a passage that reads less like the question than its introduction does."""
    top = result.hits[0].passage if result.hits else None
    wanted = (ask.wants in SPECIFIC and ask.wants != "definition") or sought_for(ask, result) is not None
    if not wanted or top is None or not top.case_study:
        return []
    seen = {h.passage.id for h in result.hits[:hits_considered]}
    return [Hit(p, 0.0, 0.0, 0.0) for p in store.passages() if p.case_study == top.case_study and p.id not in seen]


@lru_cache(maxsize=STORED_FACTS)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(normalise(text).split())


def near_same(a: str, b: str) -> bool:
    """The same sentence printed twice (the toolkit repeats quotes between its summary and chapters)."""
    wa, wb = _word_set(a), _word_set(b)
    return len(wa & wb) / max(1, min(len(wa), len(wb))) >= 0.8


def _unit_rows(candidates: Sequence[Candidate]) -> np.ndarray | None:
    """The candidates' sentence vectors as rows (zeros where a candidate has none), or None if none has one."""
    known = [c.vector for c in candidates if c.vector is not None]
    if not known:
        return None
    rows = np.zeros((len(candidates), len(known[0])), dtype=np.float32)
    for i, candidate in enumerate(candidates):
        if candidate.vector is not None:
            rows[i] = candidate.vector
    return rows


def _closeness_to(vectors: np.ndarray, chosen: Sequence[Candidate]) -> np.ndarray:
    """Each row's cosine to the closest chosen sentence (0 when none has a vector)."""
    said = [c.vector for c in chosen if c.vector is not None]
    if not said:
        return np.zeros(len(vectors))
    return np.maximum((vectors @ np.stack(said).T).max(axis=1), 0.0)


def select(
    per_ask: Sequence[list[Candidate]],
    limit: int,
    named: Collection[str] = (),
    diversity: float = 0.0,
    titled: Collection[str] = (),
    introduced: Collection[int] = (),
    fill_retrieval: float = 0.0,
    compared: Collection[str] = (),
    goes_on: bool = False,
    sought: Mapping[int, Sought] | None = None,
    unfitting: Collection[str] = (),
) -> list[Candidate]:
    """Each ask's best sentence first, in the order asked, then the next best overall, up to `limit`.

    A sentence well below its own ask's best answers no ask and is left out. `named`: the case studies the question
    names; `titled`, those of them it gives by their full titles. `introduced`: the asks that only name a case study
    ('anything on Publica?', 'tell me about the Lightbulb project'), which open on the first sentence of its own that
    says what it is (`introduces_case_study`), however close the others come. `fill_retrieval`: past each ask's
    best, a new source must have been retrieved at least this share of the top's score (`brings_in_weak_source`).
    `compared`: the case studies a question compares, each of which opens with its best sentence (the subject
    first) before the answer fills up. `diversity`: past each ask's best,
    how much a sentence loses for its closeness to one already chosen (a maximal-marginal-relevance fill), so the
    answer's last sentences add what the first did not say. `goes_on`: each ask's first sentence carries the one
    printed after it in its paragraph (`next_in_paragraph`), unless it carries one already or the answer says it.
    `sought`: by ask, what a sentence must give to answer an ask of who took part or of an aspect a case study may
    tell (`aspects.sought_by`); such an ask opens on the closest sentence of the closest one's case study that gives
    it (for its partners, the first printed), however far below the closest (too few words of its own, 'who funded
    it' comes close to no sentence), though the answer before quoted it. `unfitting`: case
    studies that fit the question as wholes far below the best; once a case study is quoted, they are no source.
    A passage gives at most PER_PASSAGE sentences, so that an answer cites more than one; room no other passage
    fills takes one more from a passage quoted already, never a sentence leaning back on one the answer does not say.
    """
    chosen: list[Candidate] = []
    said: list[str] = []  # every part of the chosen sentences, kept as they are taken
    per_passage: dict[str, int] = {}
    quoted_studies: set[str | None] = set()  # the case studies of the chosen sentences
    leans_on: dict[int, str] = {}  # a chosen sentence quoted without its lead-in → the sentence it leans on
    best_of_ask = {candidates[0].ask: candidates[0].score for candidates in per_ask if candidates}
    passage_cap = PER_PASSAGE  # sentences a passage may give, raised once the answer has room nothing else fills

    def fits(candidate: Candidate, anywhere: bool = False) -> bool:
        best = best_of_ask[candidate.ask]
        return (
            per_passage.get(candidate.hit.passage.id, 0) < passage_cap
            and (anywhere or candidate.score >= best - KEEP_WITHIN)
            and not any(near_same(part, s) for s in said for part in candidate.parts)
        )

    def take(candidate: Candidate, leaned_on: str) -> None:
        chosen.append(candidate)
        said.extend(candidate.parts)
        per_passage[candidate.hit.passage.id] = per_passage.get(candidate.hit.passage.id, 0) + 1
        quoted_studies.add(candidate.hit.passage.case_study)
        if leaned_on:  # recorded for chosen sentences only, which stay alive, so their ids stay theirs
            leans_on[id(candidate)] = leaned_on

    def unled(candidate: Candidate) -> tuple[Candidate, str]:
        """Without the sentence it leans on when the answer already quotes that one ('Shared management can act
        as a stepping stone … single employer model.' then 'This is where two, or more, … share a single
        workforce'), with that sentence's text; without what goes on about it when that is quoted already."""
        if candidate.follow_on and any(near_same(candidate.follow_on[0], s) for s in said):
            candidate = replace(candidate, follow_on=())
        if candidate.lead_in and any(near_same(candidate.lead_in[0], s) for s in said):
            return replace(candidate, lead_in=()), candidate.lead_in[0]
        return candidate, ""

    def penalised(candidate: Candidate, about: Collection[str | None], toolkit_too: bool = False) -> float:
        """Its score, less OTHER_CASE_PENALTY when it is another case study's than the ones the answer is `about` (or,
        `toolkit_too`, the toolkit's own text)."""
        study = candidate.hit.passage.case_study
        elsewhere = study not in about if study else toolkit_too
        return candidate.score - (OTHER_CASE_PENALTY if about and elsewhere else 0.0)

    for candidates in per_ask:
        # A question naming a case study is about it: each ask's best from another case study must beat its own
        # by the same margin as past the best ('and what do they buy together?' of the Five-Council partnership
        # opened on Hinckley's workshops).
        if named:
            candidates = sorted(candidates, key=lambda c: -penalised(c, named))
        # An ask for a figure, a date or a definition opens with the sentence that gives one, if any is close.
        # A case study the question gives by its full title opens with its own sentence, one that gives what is asked
        # first: another's 'achieved success through …' is no reason of its own.
        specific = [c for c in candidates if c.gives_wanted and c.wants in SPECIFIC]
        own = [c for c in candidates if c.hit.passage.case_study in titled]
        naming: list[Candidate] = []
        wanted = (sought or {}).get(candidates[0].ask) if candidates else None
        if wanted:
            # Of the closest sentence's case study. Its partners, the first printed: a case study names them as it
            # opens, and later its partners' other partners ('Cheltenham Borough Council, for example, … a joint
            # core strategy with Tewkesbury Borough Council …'); an aspect, the closest sentence that tells it.
            study = candidates[0].hit.passage.case_study
            naming = [c for c in candidates if study and c.hit.passage.case_study == study and wanted.gives(c.text)]
            if wanted.states:
                naming = [c for c in naming if wanted.states(c.text)] or naming
            if wanted.first_printed:
                naming.sort(key=_reading_order)
        groups = ([c for c in own if c in specific], own, specific, candidates)
        first = None
        if candidates and candidates[0].ask in introduced:
            opening = sorted(
                (c for c in candidates if c.hit.passage.case_study in named and introduces_case_study(c)),
                key=_reading_order,
            )
            first = next((p for p in map(unled, opening) if fits(p[0], anywhere=True)), None)
        # What an ask seeks opens it however far below the closest (see `sought`); failing that, each group in turn.
        first = first or next((p for p in map(unled, naming) if fits(p[0], anywhere=True)), None)
        first = first or next((p for group in groups for p in map(unled, group) if fits(p[0])), None)
        if first and goes_on:
            first = (_going_on(first[0], said), first[1])
        if first and len(chosen) < limit:
            take(*first)
    # 'How's that different from District Direct?': one side alone answers no comparison (user trials 18 and 19).
    for study in compared:
        if len(chosen) >= limit or study in quoted_studies:
            continue
        own_best = sorted((c for candidates in per_ask for c in candidates if c.hit.passage.case_study == study), key=lambda c: -c.score)
        side = next((p for p in map(unled, own_best) if fits(p[0], anywhere=True)), None)
        if side:
            take(*side)
    # Past each ask's best, a sentence from another case study than the named one it opened with changes the subject,
    # and so does one of the toolkit's own text: 'how much did Central Lincolnshire save?' went on, under 'Elsewhere
    # in the toolkit', to the £1m-£4m a merger projects, read as another answer to it.
    studies = quoted_studies & set(named)
    rest = [c for candidates in per_ask for c in candidates]
    scores = np.array([penalised(c, studies, toolkit_too=True) for c in rest])
    # Closeness to the closest sentence chosen so far, kept up to date one chosen sentence at a time.
    vectors = _unit_rows(rest) if diversity else None
    closest = _closeness_to(vectors, chosen) if vectors is not None else np.zeros(len(rest))
    open_ = np.ones(len(rest), dtype=bool)

    def first_fitting(order: np.ndarray) -> tuple[int, Candidate, str] | None:
        for i in order:
            if open_[i]:
                candidate, leaned_on = unled(rest[i])
                if brings_in_weak_source(candidate, quoted_studies, per_passage, fill_retrieval):
                    continue
                if candidate.hit.passage.case_study in unfitting and quoted_studies - {None, candidate.hit.passage.case_study}:
                    continue
                if passage_cap > PER_PASSAGE and leans_back(candidate.text) and not (candidate.lead_in or leaned_on):
                    continue  # room filled by a sentence that stands alone or after what it leans on, not 'This research …'
                if fits(candidate):
                    return int(i), candidate, leaned_on
        return None

    while len(chosen) < limit:
        value = np.where(open_, scores - diversity * closest, -np.inf)
        # Best first, stably (ties keep the asks' order); fits() is read lazily, as it compares texts.
        picked = first_fitting(np.argsort(-value, kind="stable"))
        if picked is None:
            if passage_cap > PER_PASSAGE:
                break
            # Room left that no other passage fills: a passage quoted already may give one sentence more.
            passage_cap = PER_PASSAGE + 1
            continue
        best, candidate, leaned_on = picked
        take(candidate, leaned_on)
        open_[best] = False
        if vectors is not None and rest[best].vector is not None:
            closest = np.maximum(closest, vectors @ rest[best].vector)
    # Each ask's best in the order asked ('…and what did they save?' right after the case), then the others; a
    # sentence that leans on one already quoted comes right after it.
    return _after_what_they_lean_on(chosen, leans_on)


def _going_on(candidate: Candidate, said: Sequence[str]) -> Candidate:
    """An ask's first sentence with the one after it in its paragraph, when nothing goes on about it already and the
    answer does not say that one yet (after a list or a broken line there is none: `next_in_paragraph`)."""
    if not candidate.goes_on or candidate.follow_on or any(near_same(candidate.goes_on[0], s) for s in said):
        return candidate
    return replace(candidate, follow_on=candidate.goes_on)


def brings_in_weak_source(
    candidate: Candidate, quoted_studies: Collection[str | None], per_passage: Mapping[str, int], fill_retrieval: float
) -> bool:
    """A passage not quoted yet, of a subject not quoted yet, retrieved below `fill_retrieval` of the top's score.
    Another passage of a case study already quoted is its story going on ('mistrust' after its estate), not padding."""
    passage = candidate.hit.passage
    if passage.id in per_passage or not candidate.features:
        return False
    if passage.case_study and passage.case_study in quoted_studies:
        return False
    return candidate.features[FEATURES.index("retrieval")] < fill_retrieval


def introduces_case_study(candidate: Candidate) -> bool:
    """A sentence of a case study that could open a description of it: a whole statement naming it, as its summary
    on the Case studies page is chosen (`case_studies.summary_sentence`)."""
    study = candidate.hit.passage.case_study or ""
    return not candidate.lead_in and summary_sentence(candidate.text) and names_case_study(candidate.text, study)


def _reading_order(candidate: Candidate) -> tuple[int, float]:
    position = candidate.features[FEATURES.index("position")] if candidate.features else 0.0
    return candidate.hit.passage.start, position


def _after_what_they_lean_on(chosen: list[Candidate], leans_on: Mapping[int, str]) -> list[Candidate]:
    ordered = [c for c in chosen if id(c) not in leans_on]
    for candidate in (c for c in chosen if id(c) in leans_on):
        anchor = next((i for i, c in enumerate(ordered) if any(near_same(leans_on[id(candidate)], p) for p in c.parts)), None)
        ordered.insert(len(ordered) if anchor is None else anchor + 1, candidate)
    return ordered
