"""Offline answers: the toolkit's own sentences closest to the question, each with its [n] citation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from assistant.glossary import PlainGlossary, Term
from assistant.params import RetrievalParams
from assistant.question import BeyondScope, beyond_scope, defined_phrase, is_english, wanted_quantities
from assistant.retrieval import Hit, SearchResult
from core.lexical import lexical_tokens
from core.models import CaseStudy
from core.text import continues_sentence, normalise
from stores.base import PassageStore


@dataclass(frozen=True)
class Citation:
    n: int
    hit: Hit
    sentences: tuple[str, ...]


# answered: the toolkit answers it; partial: it covers the topic but not the thing asked (a later event, one
# council's figure, a procedure, advice), so the answer says so first and then gives the closest it does say;
# not_covered: it does not cover the question (an abstention, with nearby topics).
Status = Literal["answered", "partial", "not_covered"]


@dataclass(frozen=True)
class Answer:
    """An answer (or an abstention) with the passages it cites."""

    text: str
    status: Status
    citations: list[Citation]
    hits: list[Hit]
    related: list[CaseStudy] = field(default_factory=list)
    glossary: dict[str, str] = field(default_factory=dict)
    nearby_topics: list[str] = field(default_factory=list)  # an abstention's offer: topics the toolkit does cover

    @property
    def answered(self) -> bool:
        """The toolkit answers the question as asked."""
        return self.status == "answered"


@dataclass(frozen=True)
class _Candidate:
    text: str
    hit_index: int
    score: float
    continuation: tuple[str, ...] = ()  # the list items a sentence ending in ':' introduces
    run_on: tuple[str, ...] = ()  # the rest of a sentence the PDF broke across lines ('– found that…')

    @property
    def parts(self) -> tuple[str, ...]:
        return (self.text, *self.run_on, *self.continuation)

    def render(self) -> str:
        sentence = " ".join((self.text, *self.run_on))
        if not self.continuation:
            return sentence
        return sentence + " " + "; ".join(item.rstrip(" .;") for item in self.continuation) + "."


# The sentences that carry what a question asks for (see question.wanted_quantities).
_CARRIES = {
    "money": re.compile(r"£\s?\d|\d\s?%|\bper cent\b|\b\d[\d,.]*\s?(m|bn|k|million|billion)\b", re.I),
    "count": re.compile(
        r"\b\d[\d,]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|hundred|thousand)\b",
        re.I,
    ),
    "date": re.compile(
        r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|november|december)\b",
        re.I,
    ),
}
QUANTITY_BONUS = 0.15
LIST_ITEMS = 4  # items of a list to quote after the sentence that introduces it
RANK_PRIOR = 0.2  # how much a sentence gains from its passage's rank


def _quotable(sentence: str) -> bool:
    """A whole statement: not a question the toolkit asks its reader, not a fragment or a list item's tail."""
    text = sentence.strip()
    return not (len(text.split()) < 5 or text.endswith("?") or text[0] in "–-;,)" or text[0].islower())


def _sentence_candidates(result: SearchResult, store: PassageStore, hits_considered: int) -> list[_Candidate]:
    query_tokens = set(lexical_tokens(result.query.lexical))
    wanted = wanted_quantities(result.query.original)
    candidates: list[_Candidate] = []
    for hit_index, hit in enumerate(result.hits[:hits_considered]):
        ordered = store.sentences_of(hit.passage.id)
        following = {s.row: tuple(x.text for x in ordered[i + 1 : i + 1 + LIST_ITEMS]) for i, s in enumerate(ordered)}
        run_on = {
            s.row: (ordered[i + 1].text,)
            for i, s in enumerate(ordered[:-1])
            if continues_sentence(s.text, ordered[i + 1].text, hit.passage.text)
        }
        sentences = [s for s in ordered if _quotable(s.text)]
        if not sentences:
            continue
        vectors = store.sentence_vectors([s.row for s in sentences])
        similarity = vectors @ result.vector
        if result.focus is not None:  # a follow-up: the sentence must answer what is asked now
            similarity = (similarity + vectors @ result.focus) / 2
        for sentence, cosine in zip(sentences, similarity.tolist()):
            tokens = set(lexical_tokens(sentence.text))
            overlap = len(tokens & query_tokens) / max(1, len(query_tokens))
            # Closeness to the question first; the passage's rank and shared words break near-ties.
            score = cosine + 0.15 * overlap + RANK_PRIOR / (1 + hit_index)
            if any(_CARRIES[kind].search(sentence.text) for kind in wanted):
                score += QUANTITY_BONUS
            continuation = following[sentence.row] if sentence.text.rstrip().endswith(":") else ()
            candidates.append(_Candidate(sentence.text, hit_index, score, continuation, run_on.get(sentence.row, ())))
    return sorted(candidates, key=lambda c: -c.score)


def without_footnote_markers(text: str, footnotes: tuple[str, ...]) -> str:
    """'…to transform”.59 Councils' → '…to transform”. Councils', for the passage's own footnote numbers only."""
    for footnote in footnotes:
        number = re.match(r"(\d{1,3})\.", footnote)
        if number:
            # Glued to a lower-case word or a closing mark, but not '£1.59m' or 'S151'.
            text = re.sub(rf"(?<=[a-z)”’\"'.,:;])(?<!\d[.,]){number.group(1)}(?!\d)", "", text)
    return text


def _near_same(a: str, b: str) -> bool:
    """The same sentence printed twice (the toolkit repeats quotes between its summary and chapters)."""
    wa, wb = set(normalise(a).split()), set(normalise(b).split())
    return len(wa & wb) / max(1, min(len(wa), len(wb))) >= 0.8


def _select(candidates: list[_Candidate], limit: int) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    per_hit: dict[int, int] = {}
    for candidate in candidates:
        if len(chosen) >= limit:
            break
        if per_hit.get(candidate.hit_index, 0) >= 2:
            continue
        if any(_near_same(candidate.text, c.text) for c in chosen):
            continue
        if chosen and candidate.score < chosen[0].score - 0.25:
            break
        chosen.append(candidate)
        per_hit[candidate.hit_index] = per_hit.get(candidate.hit_index, 0) + 1
    return chosen


def expand_first_acronyms(text: str, glossary: dict[str, str]) -> tuple[str, dict[str, str]]:
    """'LEP' → 'Local Enterprise Partnership (LEP)' at its first use, unless already spelled out."""
    used: dict[str, str] = {}
    for acronym, expansion in glossary.items():
        match = re.search(rf"\b{re.escape(acronym)}(s?)\b", text)
        if not match:
            continue
        used[acronym] = expansion
        if expansion.lower() in text.lower():
            continue
        text = text[: match.start()] + f"{expansion} ({acronym}{match.group(1)})" + text[match.end() :]
    return text, used


def strip_acronym_expansions(text: str, glossary: dict[str, str]) -> str:
    """Undo expand_first_acronyms, to check an answer against the toolkit's own words."""
    for acronym, expansion in glossary.items():
        text = re.sub(rf"{re.escape(expansion)} \(({re.escape(acronym)}s?)\)", r"\1", text)
    return text


RELATED_MIN_SIMILARITY = 0.4  # a case study is 'related' only when one of its passages is close to the question


def related_case_studies(result: SearchResult, case_studies: list[CaseStudy], limit: int = 3) -> list[CaseStudy]:
    by_title = {c.title: c for c in case_studies}
    related: list[CaseStudy] = []
    for hit in result.hits:
        if hit.dense < RELATED_MIN_SIMILARITY:
            continue
        study = by_title.get(hit.passage.case_study or "")
        if study and study not in related:
            related.append(study)
    return related[:limit]


def _format_related(related: list[CaseStudy]) -> str:
    parts = [f"{c.title} (p. {c.page})" if c.page else c.title for c in related]
    return "Related case studies: " + "; ".join(parts) + "."


def nearby_topics(result: SearchResult, chapters: list[str], limit: int = 3) -> list[str]:
    """Topics near the question; for a question nothing is near, what the toolkit covers at all."""
    topics: list[str] = []
    for hit in result.hits:
        if hit.dense < NEARBY_MIN_SIMILARITY:
            continue
        topic = hit.passage.case_study or hit.passage.section or hit.passage.chapter
        if topic and topic not in topics:
            topics.append(topic)
    return topics[:limit] or chapters


NEARBY_MIN_SIMILARITY = 0.3


def abstention(result: SearchResult, chapters: list[str], beyond: BeyondScope | None = None) -> Answer:
    topics = nearby_topics(result, chapters)
    text = "The toolkit does not seem to cover this question, so I can't answer it from the toolkit."
    if beyond:
        text = f"{beyond.sentence} {text}"
    if topics:
        text += " Nearby topics it does cover: " + "; ".join(topics) + "."
    return Answer(text=text, status="not_covered", citations=[], hits=result.hits, nearby_topics=topics)


def is_covered(result: SearchResult, params: RetrievalParams) -> bool:
    """Whether the toolkit covers the question: close enough, and not about things it never mentions."""
    if result.scoped:  # the user chose the case study: 'what were the results?' is about it
        return bool(result.hits)
    if not result.hits or result.relevance < params.min_relevance:
        return False
    return not (
        result.relevance < params.uncertain_relevance and result.query.unknown_share >= params.max_unknown_share
    )


ENGLISH_ONLY = "The toolkit and this assistant work in English: please ask your question in English."
USES_LIMIT = 2  # toolkit sentences quoted beside a glossary definition


def _asked_term(question: str, plain: PlainGlossary) -> Term | None:
    """The glossary term a 'what does X mean?' question asks about ('what is a LEP and why…' asks about LEP)."""
    phrase = defined_phrase(question)
    if not phrase:
        return None
    for candidate in (phrase, re.split(r"\s+(?:and|,)\s+", phrase)[0], re.sub(r"^(this|these|that)\s+|\s+thing$", "", phrase)):
        found = plain.lookup(candidate)
        if found:
            return found
    return None


def _uses_of(term: Term, result: SearchResult, store: PassageStore) -> list[tuple[Hit, str]]:
    """Toolkit sentences that use the term, from the passages found first, then anywhere in the toolkit."""
    forms = re.compile("|".join(rf"\b{re.escape(f)}s?\b" for f in term.forms), re.I)
    found = {h.passage.id for h in result.hits}
    hits = [*result.hits, *(Hit(p, 0.0, 0.0, 0.0) for p in store.passages() if p.id not in found)]
    uses: list[tuple[Hit, str]] = []
    for hit in hits:
        for sentence in store.sentences_of(hit.passage.id):
            if forms.search(sentence.text) and _quotable(sentence.text) and len(uses) < USES_LIMIT:
                uses.append((hit, sentence.text))
        if len(uses) >= USES_LIMIT:
            break
    return uses


def define(term: Term, result: SearchResult, store: PassageStore) -> Answer:
    """The glossary's plain words, marked as ours, and where the toolkit uses the term, cited."""
    uses = _uses_of(term, result, store)
    numbers: dict[str, int] = {}
    for hit, _ in uses:
        numbers.setdefault(hit.passage.id, len(numbers) + 1)
    text = f"{term.term}, in plain words (this assistant's glossary, not the toolkit's words): {term.definition}"
    if uses:
        quoted = " ".join(
            f"{without_footnote_markers(sentence, hit.passage.footnotes)} [{numbers[hit.passage.id]}]" for hit, sentence in uses
        )
        text += "\n\nWhere the toolkit uses it:\n\n" + quoted
    by_passage = {hit.passage.id: hit for hit, _ in uses}
    citations = [
        Citation(n, by_passage[pid], tuple(s for h, s in uses if h.passage.id == pid)) for pid, n in numbers.items()
    ]
    return Answer(text=text, status="answered", citations=citations, hits=result.hits)


def compose_answer(
    result: SearchResult,
    store: PassageStore,
    params: RetrievalParams,
    hits_considered: int = 4,
    plain: PlainGlossary | None = None,
) -> Answer:
    """An extractive answer from the best sentences of the top passages, a definition, or an abstention."""
    sentences = params.answer_sentences
    chapters = list(dict.fromkeys(p.chapter for p in store.passages()))
    question = result.query.original
    if not is_english(question, store.vocabulary()):
        return Answer(text=ENGLISH_ONLY, status="not_covered", citations=[], hits=result.hits)
    term = _asked_term(question, plain) if plain else None
    if term:
        return define(term, result, store)
    beyond = beyond_scope(question, store.vocabulary())
    if not is_covered(result, params):
        return abstention(result, chapters, beyond)
    chosen = _select(_sentence_candidates(result, store, hits_considered), sentences)
    if not chosen:
        return abstention(result, chapters, beyond)
    numbers: dict[int, int] = {}
    for candidate in chosen:
        numbers.setdefault(candidate.hit_index, len(numbers) + 1)
    body = " ".join(
        f"{without_footnote_markers(c.render(), result.hits[c.hit_index].passage.footnotes)} [{numbers[c.hit_index]}]"
        for c in chosen
    )
    body, used = expand_first_acronyms(body, store.glossary)
    related = related_case_studies(result, store.case_studies())
    # A partial answer says first, in its own paragraph, what the toolkit does not give; the cited sentences follow.
    opening = f"{beyond.sentence} The closest it does say:\n\n" if beyond else ""
    text = opening + body + ("\n\n" + _format_related(related) if related else "")
    citations = [
        Citation(n, result.hits[i], tuple(part for c in chosen if c.hit_index == i for part in c.parts))
        for i, n in numbers.items()
    ]
    status: Status = "partial" if beyond else "answered"
    return Answer(text=text, status=status, citations=citations, hits=result.hits, related=related, glossary=used)
