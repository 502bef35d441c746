"""Hybrid retrieval: dense, sentence and lexical candidates (and case studies as wholes) fused by reciprocal rank."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Protocol

import numpy as np

from assistant.asks import answer_type, split_asks
from assistant.aspects import FIGURES, Aspect, asks_an_aspect, aspects_asked, not_told
from assistant.case_studies import CaseStudyIndex, asks_only_about, toolkit_names
from assistant.closeness import Closeness
from assistant.params import RetrievalParams
from assistant.passage_questions import QuestionIndex, WrittenQuestions, attach
from assistant.question import (
    RewrittenQuery,
    Speller,
    announces_new_topic,
    asks_of_a_story,
    case_study_counted_to,
    conversation_cue,
    defined_phrase,
    english_words,
    last_said,
    names_given,
    rare_english_words,
    refers_back,
    rewrite,
    solid_compounds,
    subject_words,
    the_other_one,
    titles_named,
    wants_example,
    widens,
    without_comparison,
)
from assistant.rerank import Signals, neighbourhood_density, rerank_scores
from core.errors import NotFound, UnknownFilter
from core.lexical import STOP_WORDS, lexical_tokens, words
from core.models import Filters, Passage, Turn
from core.stats import halfway
from core.text import split_sentences
from stores.base import PassageStore

Encode = Callable[[str], np.ndarray]
EncodeMany = Callable[[list[str]], np.ndarray]
DEFAULT_PARAMS = RetrievalParams()
LEXICAL_SCORED = 300  # how deep lexical scores are read for re-scoring: the whole toolkit, a cap for big corpora
# Characters of an answer's sentence found in a passage for the answer to quote the toolkit: shorter text ('The
# Councils') is in many passages and quotes none.
QUOTED_AT_LEAST = 40
MOVED_LEAD = 2  # passages of a case study a follow-up newly names that lead its results
TITLED_CANDIDATES = 3  # passages of a case study a question gives by title that are always re-scored
# How much closer the conversation must be to another case study the last answer named than to the first it named
# for a follow-up to be about that one (follow-up probes, batches 1-4: with no margin 7 fewer follow-ups kept to their
# case study; at 0.05, one more than always taking the first). 0.05 -> 0.08 once page 127's second column was credited
# to Cherwell and South Northants, whose joint CEO and senior team then drew 'do they share all their services or just
# the top team?' away from Breckland and South Holland, the answer's first: batch 4 48/51 -> 50/51, every dev and test
# number unchanged.
FITTING_MARGIN = 0.08
# A question that alone finds nothing is read in its conversation when one of the conversation's top passages is
# among its own words' hits: 'what are the seven ways?' after the LEP chapter finds the LEP section third.
LEANING_SHARED_TOP = 3
# Headings embedded before a retriever serves (the toolkit has 150, about a second); a corpus with more embeds
# them as questions reach them, rather than start for minutes.
HEADINGS_AT_START = 2000


MOSTLY_UNKNOWN = 0.5  # share of a question's words the toolkit never uses that makes it about something of its own


def _singular(word: str) -> str:
    """'spanners' and 'spanner' alike, for matching a term to a heading."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _quoted_sentences(answer: str) -> Iterator[str]:
    """An answer's quoted sentences in order, each as its last 30 words: without a heading or label before it."""
    for piece in re.split(r"\s*\[\d+\]\s*", answer):
        text = " ".join(piece.split()[-30:])
        if len(text) >= QUOTED_AT_LEAST:
            yield text


def heading_of(passage: Passage) -> str:
    """The name a passage sits under: its case study, else its section, else its chapter."""
    return passage.case_study or passage.section or passage.chapter


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score and the evidence for it."""

    passage: Passage
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    query: RewrittenQuery
    relevance: float  # cosine similarity of the best passage to the question: drives abstention
    vector: np.ndarray
    focus: np.ndarray | None = None  # a follow-up's own words, without the earlier turn it leans on
    scoped: bool = False  # searched within one case study the user chose
    rescored: tuple[list[str], Signals] | None = None  # the candidates the second stage scored, and on what
    asks: tuple[SearchResult, ...] = ()  # a compound question's asks, each searched on its own (`assistant.compound`)
    subject: str | None = None  # the case study a follow-up's conversation is about, when it is about one
    within_subject: bool = False  # a follow-up searched within `subject` alone (`Retriever._within_subject`)
    named: tuple[str, ...] = ()  # the case studies whose titles a question of its own gives in full (`CaseStudyIndex`)
    # A follow-up comparing its subject with case studies it names only as the yardstick: those case studies.
    compared: tuple[str, ...] = ()
    # Every case study by how well it fits the question as a whole (`CaseStudyIndex.fit`, standardised), best first;
    # empty when a filter chose one.
    fitting: tuple[tuple[str, float], ...] = ()

    def fitting_within(self, margin: float, floor: float = float("-inf")) -> list[str]:
        """The case studies fitting the question as wholes within `margin` of the best fitting one, and at least
        `floor`, best first."""
        top = self.fitting[0][1] if self.fitting else 0.0
        return [title for title, fit in self.fitting if fit >= max(floor, top - margin)]


class Searcher(Protocol):
    """What the assistant asks of a retriever: the seam to swap retrieval (see `assistant.service.build_assistant`)."""

    def search(
        self,
        question: str,
        params: RetrievalParams = ...,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> SearchResult: ...

    def resolve_filters(self, filters: Filters | None) -> Filters | None: ...

    def encode(self, text: str) -> np.ndarray: ...


# Builds a retriever over one store, with the query encoder and the corpus's plain-word synonyms.
MakeRetriever = Callable[[PassageStore, Encode, dict[str, str]], Searcher]


def rrf(rankings: Sequence[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion of several ranked id lists."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, passage_id in enumerate(ids):
            fused[passage_id] = fused.get(passage_id, 0.0) + weight / (k + rank + 1)
    return fused


def _led_by(lead: list[str], order: list[str], scores: dict[str, float]) -> tuple[list[str], dict[str, float]]:
    """`order` with `lead` first, in its order, and scored just above the best so the scores still read best first."""
    top = max(scores[i] for i in order)
    scores = {**scores, **{i: top + (len(lead) - rank) * 1e-6 for rank, i in enumerate(lead)}}
    return [*lead, *(i for i in order if i not in lead)], scores


def collapse_near_duplicates(ids: list[str], vectors: np.ndarray, threshold: float) -> list[str]:
    """Keep the first of any passages whose embeddings are nearly identical (repeated quotes, reprinted text)."""
    similar = (vectors @ vectors.T >= threshold).tolist()  # every pair at once: the list is a few dozen passages
    kept: list[int] = []
    for i, row in enumerate(similar):
        if not any(row[j] for j in kept):
            kept.append(i)
    return [ids[i] for i in kept]


def _one_named(field: str, value: str, names: dict[str, str]) -> str:
    """The one name (lower-cased key → name) that value is, or alone contains; else UnknownFilter naming the
    names it could mean, or every name when it could mean none."""
    wanted = value.strip().lower()
    if wanted in names:
        return names[wanted]
    partial = [name for key, name in names.items() if wanted and wanted in key]
    if len(partial) == 1:
        return partial[0]
    raise UnknownFilter(field, value, partial or list(names.values()))


class Retriever:
    """Searches one passage store; the store, encoder and word lists are injected."""

    def __init__(self, store: PassageStore, encode: Encode, synonyms: dict[str, str] | None = None) -> None:
        self.store = store
        self._encode = lru_cache(maxsize=2048)(encode)
        self.synonyms = synonyms or {}
        self.speller = Speller(
            store.vocabulary(), english_words(), rare_english_words(), solid_compounds(p.text for p in store.passages())
        )
        self.case_studies = store.case_studies()
        self.chapters = sorted({p.chapter for p in store.passages()})
        self._titles = [c.title for c in self.case_studies]
        self._cases = CaseStudyIndex(store, english_words())
        self._closeness = Closeness(store)
        self._flat: list[tuple[str | None, str]] | None = None
        self._words_of_case: dict[str, frozenset[str]] = {}
        self._densities: dict[int, dict[str, float]] = {}
        # Kept apart from the query cache, whose 2,048 places a stream of new questions churns: a heading evicted
        # there would be embedded again by the next question whose candidates sit under it.
        self._heading_vectors: dict[str, np.ndarray] = {}
        self._passage_headings: dict[str, np.ndarray] = {}
        self._written: QuestionIndex | None = None
        self.lost_questions: list[WrittenQuestions] = []  # written for passages this store does not hold

    def learn_questions(self, entries: Sequence[WrittenQuestions], encode_many: EncodeMany) -> None:
        """Search the questions written for this store's passages (`assistant.passage_questions`) from now on."""
        pairs, self.lost_questions = attach(entries, self.store.passages())
        vectors = encode_many([question for _, question in pairs]) if pairs else np.zeros((0, 0))
        self._written = QuestionIndex(pairs, vectors, lexical_tokens) if pairs else None

    def encode(self, text: str) -> np.ndarray:
        return self._encode(text)

    def heading_vector(self, heading: str) -> np.ndarray:
        """The vector of a case study, section or chapter name, embedded once for the retriever's life."""
        vector = self._heading_vectors.get(heading)
        if vector is None:
            vector = self._heading_vectors[heading] = self._encode(heading)
        return vector

    def _heading_of_passage(self, passage: Passage) -> np.ndarray:
        """The vector of the name a passage sits under, kept by passage id: the same few dozen passages are scored
        for every question."""
        vector = self._passage_headings.get(passage.id)
        if vector is None:
            vector = self._passage_headings[passage.id] = self.heading_vector(heading_of(passage))
        return vector

    def embed_headings(self, encode_many: EncodeMany) -> None:
        """Embed every heading now, in batches, so that no request pays for them (up to 30 encodes each, the
        first questions after a start)."""
        headings = sorted({heading_of(p) for p in self.store.passages()} - self._heading_vectors.keys())
        if 0 < len(headings) <= HEADINGS_AT_START:
            self._heading_vectors.update(zip(headings, encode_many(headings)))

    def resolve_filters(self, filters: Filters | None) -> Filters | None:
        """Match filter values to real chapters and case studies: case-insensitive, ids accepted, and part of a
        name where that part is in one name only ('publica' is Publica Group; 'craven' names three)."""
        if filters is None or (not filters.chapter and not filters.case_study):
            return None
        chapter = case_study = None
        if filters.chapter:
            chapter = _one_named("chapter", filters.chapter, {c.lower(): c for c in self.chapters})
        if filters.case_study:
            by_id = {c.id: c.title for c in self.case_studies}
            case_study = by_id.get(filters.case_study.strip().lower()) or _one_named(
                "case_study", filters.case_study, {title.lower(): title for title in self._titles}
            )
        return Filters(chapter, case_study)

    def search(
        self,
        question: str,
        params: RetrievalParams = DEFAULT_PARAMS,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> SearchResult:
        """The top-k passages for a question in its conversation."""
        resolved = self.resolve_filters(filters)
        return self._search(question, params, history, resolved)

    def _search(
        self,
        question: str,
        params: RetrievalParams,
        history: Sequence[Turn],
        resolved: Filters | None,
        leans: bool | None = None,
    ) -> SearchResult:
        follow_up = leans
        cue = conversation_cue(question, history) if params.use_history else "alone"
        if leans is None and cue in ("open", "bare"):
            follow_up = not self.stands_alone(question, params, by_confidence=cue == "open")
        if leans is None and cue != "alone" and self._defines_a_toolkit_term(question):
            # 'what does it mean by selflessness?' after a case study that spoke of it asks what the toolkit means by
            # the term, which it sets out in its own text, not in that case study's.
            follow_up, cue = False, "new_topic"
        # Of two or more case studies the last answer named, the one the conversation fits (None when it does not lean).
        leaning = cue != "alone" and follow_up is not False
        fitting = self._fitting_case_study(question, history) if leaning else None
        said = last_said(history) if leaning else ""
        # The case study the last answer quoted first, read once for the toolkit text and for the subject below.
        quoted = fitting or (self.quoted_case_study(said) if said else None)
        if leans is None and quoted and self._asks_a_toolkit_concept(question, quoted):
            # Asked of the toolkit's own pages, which set the concept out, as a question of its own.
            follow_up, cue, leaning, fitting, said, quoted = False, "new_topic", False, None, "", None
        # The toolkit's own text the last answer opened on, when the conversation is about it, not the case study after.
        toolkit_subject = self._toolkit_opening(question, history, said, quoted) if leaning and not fitting else None
        query = rewrite(
            question,
            history,
            self.speller,
            self.store.glossary,
            self.synonyms,
            self._titles,
            use_spelling=params.use_spelling,
            use_glossary=params.use_glossary,
            use_synonyms=params.use_synonyms,
            use_history=params.use_history,
            follow_up=follow_up,
            fitting=fitting,
            about_case_study=toolkit_subject is None,
        )
        vector = self.encode(query.text)
        pool = len(self.store.passages()) if resolved else params.candidates
        dense = self.store.dense_search(vector, pool)
        sentences = self.store.sentence_search(vector, pool) if params.sentence_weight > 0 else []
        # Re-scoring wants every candidate's lexical score, not only the top few's.
        lexical_pool = max(pool, min(len(self.store.passages()), LEXICAL_SCORED)) if params.rerank_depth else pool
        lexical = self.store.lexical_search(lexical_tokens(query.lexical), lexical_pool)
        allowed = None
        if resolved:
            allowed = {p.id for p in self.store.passages() if resolved.admits(p)}
            dense = [(i, s) for i, s in dense if i in allowed][: params.candidates]
            sentences = [(i, s) for i, s in sentences if i in allowed][: params.candidates]
            lexical = [(i, s) for i, s in lexical if i in allowed]
        maybe_follow_up = query.follow_up or cue in ("open", "bare")
        lexical_weight = params.lexical_weight if self._lexical_listed(question, params, maybe_follow_up) else 0.0
        rankings = [
            ([i for i, _ in dense], params.dense_weight),
            ([i for i, _ in sentences], params.sentence_weight * params.dense_weight),
            ([i for i, _ in lexical[: params.candidates]], lexical_weight),
        ]
        # A written question stands alone: a follow-up is matched to them by its own words as much as by its
        # conversation's ('what are the seven ways?' after LEP boards found questions on the boards).
        asked = halfway(vector, self.encode(question)) if query.follow_up and self._written is not None else vector
        if self._written is not None:
            # The passages whose written questions are worded like this one, by meaning and by words.
            rankings += [
                (self._written.by_meaning(asked, params.candidates, allowed), params.asked_weight),
                (self._written.by_words(query.lexical, params.candidates, allowed), params.asked_lexical_weight),
            ]
        fitting_cases: tuple[tuple[str, float], ...] = ()
        if params.case_weight > 0 and not (resolved and resolved.case_study):
            fit = self._cases.fit(vector, lexical_tokens(subject_words(query.lexical)), params.case_lexical_share)
            fitting_cases = tuple((self._cases.titles[i], float(fit[i])) for i in np.argsort(-fit))
            if wants_example(question):
                rankings.append((self._cases.best_fitting(fit, vector, params.candidates), params.case_weight))
        # A follow-up naming a case study the conversation has not ('… and did Dorset do the same thing?' after the
        # Suffolk merger) moves the conversation to it: its subject and its named case study are the new one.
        moved_to = self._new_case_studies(question, query.context or "", history) if query.follow_up else []
        moved_passages = self._cases.passages_of(moved_to, self.encode(question), 1000) if moved_to else []
        subject = None
        if query.follow_up and query.context and params.subject_weight > 0:
            # The last answer says best what the conversation is now about ('is there an example?' answered with one
            # case study makes 'how did they show local support?' about it). Only the subject list uses it: the
            # query stays the user's words, so an answer is not composed to repeat what was just said.
            if not leaning:  # what the conversation's last answer quoted, not read above
                said = last_said(history)
                quoted = fitting or self.quoted_case_study(said)
            if quoted is None and not toolkit_subject and said and asks_of_a_story(question):
                quoted = self._case_told_in_other_words(question, history, said, params)
            subject = None if moved_to else toolkit_subject or self.subject_of(said or query.context, quoted)
            subject_list = moved_passages if moved_to else self.subject_passages(subject, question, resolved)
            rankings.append((subject_list, params.subject_weight))
        fused = rrf(rankings, params.rrf_k)
        if params.named_boost > 0 and not (resolved and resolved.case_study):
            # A question that names a case study is about it: its passages outrank look-alikes from elsewhere.
            boosted = without_comparison(query.text) if query.follow_up else query.text
            named = set(self._cases.passages_of(moved_to or self._cases.named_in(boosted), vector, 1000))
            fused = {i: score * (1 + params.named_boost) if i in named else score for i, score in fused.items()}
        order = sorted(fused, key=lambda i: -fused[i])
        scores = fused
        rescored = None
        # Case studies the question gives by title or by a capitalised name ('did District Direct work?'): their words
        # are everyday ones, which match elsewhere first, so they are re-scored and lead unless a filter is chosen.
        given_by_title = [] if query.follow_up else self._cases.titled_in(query.text)
        if not given_by_title and not query.follow_up and wants_example(question):
            given_by_title = self._cases.titled_by_its_words(subject_words(query.text))
        titled = [] if resolved else given_by_title
        if params.rerank_depth:
            given = self._cases.passages_of(titled, vector, TITLED_CANDIDATES) if titled else []
            rescored = self._signals(order, dense, lexical, vector, params, given)
            scores = dict(zip(rescored[0], rerank_scores(rescored[1], params).tolist()))
            order = sorted(scores, key=lambda i: -scores[i])
        if moved_to and order:
            # The query still carries the old subject's words, which outweigh the new name in every signal; the case
            # study the user just named leads with its passages closest to their own words.
            lead = [i for i in moved_passages[:MOVED_LEAD] if not resolved or resolved.admits(self.store.passage(i))]
            order, scores = _led_by(lead, order, scores)
        elif titled and order:
            # Asked of by name, it leads with its passage ranked best (else the one closest to the question), as a
            # case study newly named does; asked only to hear about it ('tell me about Tackling loneliness'), with the
            # passage it opens on too, which says what it is where a later one ranked best.
            cases = titled[:MOVED_LEAD]
            lead = [self._best_of_case(case, order, vector) for case in cases]
            if asks_only_about(question, [self._cases.titles[case] for case in cases]):
                lead += [self._cases.members[case][0] for case in cases if self._cases.members[case]]
            lead = list(dict.fromkeys(lead))
            order, scores = _led_by(lead, order, scores)
        subject_case_study = None if toolkit_subject and not moved_to else self._subject_case_study(query, moved_to, subject)
        # A follow-up about the case study its conversation is about, none newly named and no filter chosen.
        about_subject = bool(query.follow_up and subject_case_study and not (resolved or moved_to))
        if about_subject and widens(question):
            # 'Any others like that?', 'who else has done it?': other case studies than the one being discussed, whose
            # passages the conversation's words would otherwise find first again.
            order = [i for i in order if self.store.passage(i).case_study != subject_case_study]
            subject_case_study, about_subject = None, False
        ranked = order[: params.k * 3]
        if ranked:
            ranked = collapse_near_duplicates(ranked, self.store.passage_vectors(ranked), params.dedupe_threshold)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        vectors = self.store.passage_vectors(ranked) if ranked else np.zeros((0, len(vector)))
        cosine = dict(zip(ranked, (vectors @ vector).tolist()))
        hits = [
            Hit(self.store.passage(i), scores[i], dense_scores.get(i, cosine[i]), lexical_scores.get(i, 0.0))
            for i in ranked[: params.k]
        ]
        relevance = max((s for _, s in dense[:1]), default=0.0)
        focus = self.encode(question) if query.follow_up else None
        scoped = bool(resolved and resolved.case_study)
        # Named by their titles in lower case ('which council made developers do health impact assessments?'), which
        # the question's understanding, reading capitalised names, does not see.
        names = tuple(self._cases.titles[i] for i in given_by_title)
        result = SearchResult(
            hits, query, relevance, vector, focus, scoped, rescored, subject=subject_case_study, named=names, fitting=fitting_cases
        )
        if leans is None and cue == "new_topic" and not announces_new_topic(question):
            return self._leaning_if_nothing_alone(result, question, params, history, resolved)
        # Compared with another case study ('how is that different from District Direct?'): both are the answer's,
        # so it is not searched within its own case study alone.
        # Only a follow-up about its conversation's case study has yardsticks: every other search skips the spelling.
        yardsticks = self._yardsticks(self.speller.correct(question)[0]) if about_subject else ()
        if params.follow_up_within_subject and about_subject and subject_case_study and not yardsticks:
            return self._within_subject(result, question, params, history, subject_case_study)
        if yardsticks:
            result = self._with_yardsticks(result, yardsticks, vector)
        return replace(result, compared=yardsticks) if about_subject else result

    def _with_yardsticks(self, result: SearchResult, yardsticks: Sequence[str], vector: np.ndarray) -> SearchResult:
        """The passage of each case study a follow-up compares its subject with that is closest to the conversation,
        second in the hits when not among them: 'how is that different from the five council partnership?' after
        Publica was answered from Publica's passages alone, the other side never described (user trial 28)."""
        hits = list(result.hits)
        present = {h.passage.id for h in hits}
        for title in yardsticks:
            best = self._cases.passages_of([self._cases.titles.index(title)], vector, 1)
            if not best or best[0] in present or not hits:
                continue
            at = min(1, len(hits))
            passage = self.store.passage(best[0])
            hits.insert(at, Hit(passage, hits[at - 1].score, float(self.store.passage_vectors([best[0]])[0] @ vector), 0.0))
            present.add(best[0])
        return replace(result, hits=hits[: len(result.hits)])

    def _within_subject(
        self, result: SearchResult, question: str, params: RetrievalParams, history: Sequence[Turn], subject: str
    ) -> SearchResult:
        """A follow-up about the case study its conversation is about ('how was it governed?', 'what did they
        save?') is answered from that case study's passages: from the whole toolkit, another scheme's figure or
        committee was quoted as theirs. Whether the toolkit covers the question is still judged over all of it."""
        within = self._search(question, params, history, Filters(None, subject), leans=True)
        if not within.hits:
            return result
        return replace(within, relevance=result.relevance, scoped=False, subject=subject, within_subject=True)

    def _leaning_if_nothing_alone(
        self, alone: SearchResult, question: str, params: RetrievalParams, history: Sequence[Turn], resolved: Filters | None
    ) -> SearchResult:
        """A question with a subject of its own words that alone finds nothing is read in its conversation once more
        ('what are the three phases?' after the Collaboration Curve), and kept so read when the conversation finds
        something its own words found too, or finds it within the case study the conversation is about: not for a
        word the toolkit never uses ('how do I get a blue badge?' after devolution), nor when the conversation's
        words alone do the finding elsewhere."""
        if alone.relevance >= params.min_relevance or alone.query.unknown_words:
            return alone
        leaning = self._search(question, params, history, resolved, leans=True)
        # Whether the conversation finds what the question's own words find is judged in the toolkit's text, BM25
        # among its lists ('what are the seven ways?' finds the seven ways' section by its words, which the dense lists
        # alone do not), not in the questions written for passages, whose 'ways' are many and about other things.
        text_only = params.without_written_questions()
        found = self._search(question, text_only.model_copy(update={"lexical_only_when_named": False}), history, resolved, leans=False)
        judged = self._search(question, text_only, history, resolved, leans=True) if text_only != params else leaning
        own = {h.passage.id for h in found.hits}
        own_sections = {(h.passage.chapter, h.passage.enclosing_section) for h in found.hits if h.passage.enclosing_section}
        # The same passage near the top, or the same section among the hits ('what are the seven ways?' after LEPs
        # found one passage of 'Seven ways to engage with your LEP' alone, and the conversation another).
        found_by_both = any(h.passage.id in own for h in judged.hits[:LEANING_SHARED_TOP]) or any(
            (h.passage.chapter, h.passage.enclosing_section) in own_sections for h in judged.hits
        )
        # Or when it is searched within the case study the conversation is about ('how many people come through the
        # doors?' after Pathfinder House): its few words of its own, all the toolkit's, found nothing alone.
        return leaning if leaning.relevance >= params.min_relevance and (found_by_both or leaning.within_subject) else alone

    def _signals(
        self,
        fused_order: list[str],
        dense: list[tuple[str, float]],
        lexical: list[tuple[str, float]],
        vector: np.ndarray,
        params: RetrievalParams,
        given: Sequence[str] = (),
    ) -> tuple[list[str], Signals]:
        """The top fused candidates, any that dense or lexical search alone ranks high, and the `given` ones, with
        their signals."""
        depth = params.rerank_depth
        ids = list(
            dict.fromkeys(
                [*fused_order[:depth], *(i for i, _ in dense[:depth]), *(i for i, _ in lexical[:depth]), *given]
            )
        )
        rank = {passage_id: r for r, passage_id in enumerate(fused_order)}
        lexical_scores = dict(lexical)
        passages = [self.store.passage(i) for i in ids]
        sentence = self._closeness.best_sentence(ids, vector)
        asked = None
        if self._written is not None and params.rerank_asked:
            # A passage no question was written for (one added since) is judged by its own closest sentence.
            # Matched by `vector` (a follow-up's conversation), not by the halfway vector its candidate list uses: the
            # halfway vector here too lowered blind dev found@5 0.854 -> 0.850, follow-ups 0.79 -> 0.76.
            written = self._written.closeness(vector)
            asked = np.array([written.get(i, close) for i, close in zip(ids, sentence.tolist())])
        signals = Signals(
            dense=self.store.passage_vectors(ids) @ vector,
            sentence=sentence,
            lexical=np.array([lexical_scores.get(i, 0.0) for i in ids]),
            heading=np.stack([self._heading_of_passage(p) for p in passages]) @ vector if passages else np.zeros(0),
            fused_rank=np.array([rank.get(i, len(fused_order)) for i in ids], dtype=float),
            density=np.array([self._density(params.hub_neighbours).get(i, 0.0) for i in ids]) if params.hub_penalty else None,
            asked=asked,
        )
        return ids, signals

    def _density(self, neighbours: int) -> dict[str, float]:
        """Each passage's `neighbourhood_density`, worked out once per store and neighbourhood size."""
        if neighbours not in self._densities:
            ids = [p.id for p in self.store.passages()]
            values = neighbourhood_density(self.store.passage_vectors(ids), neighbours) if ids else np.zeros(0)
            self._densities[neighbours] = dict(zip(ids, values.tolist()))
        return self._densities[neighbours]

    def _best_of_case(self, case: int, order: Sequence[str], vector: np.ndarray) -> str:
        """A case study's passage that ranks first in `order`, else its passage closest to `vector`."""
        members = set(self._cases.members[case])
        return next((i for i in order if i in members), None) or self._cases.passages_of([case], vector, 1)[0]

    def _case_told_in_other_words(
        self, question: str, history: Sequence[Turn], said: str, params: RetrievalParams
    ) -> str | None:
        """The case study a conversation is about when its last answer quotes none of the toolkit (`said` told in
        other words): the one its turns, read together, fit clearly best. 'Did they just split it evenly?' after a
        summary of a county-wide business rates pilot went to Publica by that summary's words alone. None when the
        question names something that case study's text never does ('what about the Somerset one?' after three
        mergers named, one of them a case study's)."""
        if self._quotes_the_toolkit(said):
            return None
        told = " ".join(turn.content for turn in history)
        fit = self._cases.fit(self.encode(told), lexical_tokens(told), params.case_lexical_share)
        if len(fit) < 2:
            return None
        second, best = np.argsort(fit)[-2:]
        if fit[best] - fit[second] < params.conversation_case_margin:
            return None
        title = self._cases.titles[best]
        case_words = self._case_words(title)
        told_of = all(_singular(word) in case_words for name in names_given(question) for word in words(name))
        return title if told_of else None

    def _quotes_the_toolkit(self, answer: str) -> bool:
        """Whether any sentence of an answer, as long as a sentence that says something, is in a passage."""
        sentences = [" ".join(s.split()) for s in split_sentences(answer)]
        quoted = [s for s in sentences if len(s) >= QUOTED_AT_LEAST]
        return any(s in flat for s in quoted for _, flat in self._flat_texts())

    def _fitting_case_study(self, question: str, history: Sequence[Turn]) -> str | None:
        """Of the case studies the last answer named (two or more), the one the conversation's last questions fit
        best, when clearly better than the first named: 'did it hit its savings target?' after a question on setting
        up a company owned by the councils, answered from the Five-Council partnership first and Publica after, is
        about Publica. The question alone is not enough: 'who held the contract?' fits another case study's
        contracts better than the wellbeing bid the conversation is about."""
        other = the_other_one(question, history, self._titles)
        if other:
            return other
        named = titles_named(last_said(history), self._titles)
        if len(named) < 2:
            return None
        # 'And what about the Five-Council partnership?' after an answer quoting Cherwell first and it after: the one
        # the user picks by name, not what they are compared with. Its words were in the answer, so it is not newly
        # named, and the first named kept the conversation (user trial 42).
        given = set(self._cases.most_named_in(without_comparison(question)))
        picked = [t for t in named if self._cases.titles.index(t) in given]
        if len(picked) == 1:
            return picked[0]
        # 'And how much did they save?' after Hinckley's analysis of savings and Selby's £1.4m: of the case studies
        # named, only those whose text gives what is asked can answer it (user trial 28 got 'no money figures'). Only
        # a figure asked singles one out: words of funding or governance are in most case studies' text, and 'who
        # paid for the posts?' went from District Direct, which the answer was about, to Craven's 'Better Care Fund',
        # quoted after it (user trial 31).
        giving = [title for title in named if self._tells(title, question, FIGURES)]
        if len(giving) == 1:
            return giving[0]
        named = giving or named
        asked = " ".join([*[t.content for t in history if t.role == "user"][-2:], question])
        cases = [self._cases.titles.index(t) for t in named]
        best = self._cases.closest(cases, self.encode(asked), FITTING_MARGIN)
        if best is not None and best != cases[0] and self._cases.closest(cases, self.encode(question)) == cases[0]:
            # The question before was answered by the first named: its words ('anything from outside England?')
            # alone moved 'did they merge the councils?' from Denmark's reform to a passage on Homes England.
            return self._cases.titles[cases[0]]
        return self._cases.titles[best] if best is not None else None

    def _tells(self, title: str, question: str, among: Sequence[Aspect]) -> bool:
        """Whether a case study's own text gives every aspect `among` those a question asks of it (`aspects.FIGURES`:
        a money figure, a saving, how much something changed); true of a question asking none."""
        texts = [flat for study, flat in self._flat_texts() if study == title]
        return not not_told([a for a in aspects_asked([(question, answer_type(question))]) if a in among], texts)

    def _defines_a_toolkit_term(self, question: str) -> bool:
        """Whether a question asks what a term of the toolkit's own means ('what does it mean by selflessness?'), not
        what something the conversation named is ('what is it?', 'and what's that company?')."""
        term = defined_phrase(question)
        # A term pointing back at the conversation ('it', 'that company', 'this scheme') is not one of the toolkit's own.
        if not term or refers_back(term) or re.search(rf"\b(?:this|that|these|those)\s+{re.escape(term)}", question, re.I):
            return False
        own = {_singular(w) for w in words(term) if w not in STOP_WORDS}
        if len(own) == 1 and re.search(rf"\bthe\s+{re.escape(term)}\b", question, re.I):
            return False  # 'what is the board?' asks of the conversation's board
        return bool(own) and any(own <= heading for heading in self._concept_headings)

    def _asks_a_toolkit_concept(self, question: str, case_study: str) -> bool:
        """Whether a follow-up about a case study asks for a concept the toolkit sets out under a heading of its own
        and the case study's text never names ('what are the evidential tests they had to meet?' after the Suffolk
        merger, user trial 30): its answer is in the toolkit's pages, not the case study's."""
        own = {_singular(w) for w in words(subject_words(question)) if w not in STOP_WORDS}
        if len(own) < 2:
            return False
        told = self._case_words(case_study)
        for heading in self._concept_headings:
            shared = own & heading
            # Mostly the concept: 'what was the population of the new council, and how did they meet the evidential
            # tests?' asks the case study's own story as well.
            if len(shared) >= 2 and 2 * len(shared) >= len(heading) and not shared <= told and len(own - heading) <= 1:
                return True
        return False

    def _case_words(self, case_study: str) -> frozenset[str]:
        """The words (singular) of a case study's passages."""
        if case_study not in self._words_of_case:
            text = " ".join(p.text for p in self.store.passages() if p.case_study == case_study)
            self._words_of_case[case_study] = frozenset(_singular(w) for w in words(text))
        return self._words_of_case[case_study]

    @cached_property
    def _concept_headings(self) -> list[frozenset[str]]:
        """The words of each heading of the toolkit's own text (not a case study's), where it names its concepts
        ('Key enablers: selflessness and distributed leadership', 'Boundary spanners')."""
        headings = {
            heading
            for p in self.store.passages()
            if not p.case_study
            for heading in (p.section, p.enclosing_section, *(mark.section for mark in p.marks))
            if heading
        }
        return [frozenset(_singular(w) for w in words(h)) for h in sorted(headings)]

    def _toolkit_opening(
        self, question: str, history: Sequence[Turn], said: str, quoted: str | None
    ) -> Passage | None:
        """The passage of the toolkit's own text the last answer opened on, when the conversation is about it rather
        than the case study the answer quoted after it: 'what are the stages in it?' after 'What is the Collaboration
        Curve and has any council used it?', answered from the curve's pages and then Horizon 2050's success factors,
        asks the curve's stages (user trial 28). Clearly closer to the conversation's last questions, by
        FITTING_MARGIN, than any of the case study's passages. `said`: the last answer; `quoted`: the case study it
        quoted first (`quoted_case_study`)."""
        # The case study it quoted, else the one it names (a case study's group of sentences is headed by its title).
        study = quoted or next(iter(titles_named(said, self._titles)), None)
        if study is None:
            return None
        opening = self._first_quoted(said)
        if opening is None or opening.case_study:
            return None
        users = [t.content for t in history if t.role == "user"]
        if not users or wants_example(split_asks(users[-1])[0]):
            return None  # asked for an example first, the case study the answer gave is what it is about
        asked = self.encode(" ".join([*users[-2:], question]))
        case = self._cases.titles.index(study)
        study_fit = max(float(v @ asked) for v in self.store.passage_vectors(self._cases.members[case]))
        return opening if float(self.store.passage_vectors([opening.id])[0] @ asked) > study_fit + FITTING_MARGIN else None

    def _first_quoted(self, answer: str) -> Passage | None:
        """The passage holding an answer's first quoted sentence, when one passage alone holds it."""
        text = next(_quoted_sentences(answer), None)
        if text is None:
            return None
        holders = [i for i, (_, flat) in enumerate(self._flat_texts()) if text in flat]
        return self.store.passages()[holders[0]] if len(holders) == 1 else None

    def _new_case_studies(self, question: str, context: str, history: Sequence[Turn]) -> list[int]:
        """The case studies a follow-up names that its conversation (its earlier questions, the last answer) has not."""
        corrected, _ = self.speller.correct(question)
        # One named only as what the question compares its subject with moves nothing (user trial 19: 'why did
        # they go for a company rather than sharing a chief exec like Breckland and South Holland?' after Publica).
        named = self._cases.newly_named(without_comparison(corrected), f"{context} {last_said(history)}")
        counted = None if named else case_study_counted_to(question, history, self._cases.titles)
        return [self._cases.titles.index(counted)] if counted else named

    def _subject_case_study(self, query: RewrittenQuery, moved_to: list[int], subject: Passage | None) -> str | None:
        """The case study a follow-up's conversation is about: one it has just moved to, else one the conversation
        names (the user, or the last answer's own words), else that of the passage the conversation finds best (an
        answer's words also match passages of no case study)."""
        if not query.follow_up:
            return None
        if moved_to:
            return self._cases.titles[moved_to[0]]
        named = titles_named(query.context or "", self._titles)
        return named[0] if named else subject.case_study if subject else None

    @cached_property
    def names(self) -> frozenset[str]:
        """The names a question may mention (`toolkit_names`), with the words of the case studies' titles."""
        return toolkit_names(self.store, self._cases.name_words)

    def _lexical_listed(self, question: str, params: RetrievalParams, follow_up: bool = False) -> bool:
        """Whether BM25 is a candidate list for the question (`RetrievalParams.lexical_only_when_named`): always for a
        follow-up, searched with its conversation's words, the toolkit's own, or a question that may be one."""
        if not params.lexical_only_when_named or follow_up:
            return True
        return wants_example(question) or not self.names.isdisjoint(words(question))

    def subject_of(self, context: str, case_study: str | None = None) -> Passage | None:
        """The passage a conversation's earlier turns find best (within `case_study`, the one the last answer quoted,
        when given): its case study, else its section, is what the conversation is about."""
        vector = self.encode(context)
        closest = self._cases.passages_of([self._cases.titles.index(case_study)], vector, 1) if case_study else []
        best = closest or [i for i, _ in self.store.dense_search(vector, 1)]
        return self.store.passage(best[0]) if best else None

    def _flat_texts(self) -> list[tuple[str | None, str]]:
        """Each passage's case study and its text on one line, as answers quote it; worked out once."""
        if self._flat is None:
            self._flat = [(p.case_study, " ".join(p.text.split())) for p in self.store.passages()]
        return self._flat

    def case_study_named(self, text: str) -> str | None:
        """The one case study a text names most fully, by its name words or its title ('Publica', 'District
        Direct', 'the Five-Council partnership'); None when it names none, or several as fully."""
        named = self._cases.most_named_in(text)
        return self._cases.titles[named[0]] if len(named) == 1 else None

    def quoted_case_study(self, answer: str) -> str | None:
        """The case study an answer quoted first: the case study of the passage holding its first quoted sentence that
        belongs to one. An answer about one case study need not name it ('who were the partners?' answered from
        Craven's loneliness project), and read as words its sentences found Cherwell's passages best (user trial 7)."""
        for text in _quoted_sentences(answer):
            holders = {study for study, flat in self._flat_texts() if text in flat}
            holders.discard(None)
            if len(holders) == 1:
                return holders.pop()
        return None

    def subject_passages(self, subject: Passage | None, question: str, filters: Filters | None) -> list[str]:
        """The passages of what the conversation is about (`subject_of`'s case study, else its section), closest to
        the follow-up's own words first."""
        if subject is None:
            return []
        same = [
            p.id
            for p in self.store.passages()
            if (
                p.case_study == subject.case_study
                if subject.case_study
                else p.enclosing_section == subject.enclosing_section and p.chapter == subject.chapter
            )
            and (filters is None or filters.admits(p))
        ]
        order = np.argsort(-(self.store.passage_vectors(same) @ self.encode(question)))
        return [same[j] for j in order]

    def _yardsticks(self, question: str) -> tuple[str, ...]:
        """The case studies a question names only as what it compares its subject with (`without_comparison`), when
        it names none as its subject."""
        if self._cases.named_in(without_comparison(question)):
            return ()
        return tuple(self._cases.titles[case] for case in self._cases.most_named_in(question))

    def stands_alone(self, question: str, params: RetrievalParams, by_confidence: bool = True) -> bool:
        """Whether a question whose words don't settle it is about something of its own: it names a case study,
        it is mostly words the toolkit never uses, or its own words find a passage confidently."""
        corrected, _ = self.speller.correct(question)
        # Its own subject, without what it is compared with: a case study named only as the yardstick ('… like
        # Breckland and South Holland?') neither names its subject nor makes its words find a passage confidently.
        own = without_comparison(corrected)
        if self._cases.named_in(own):
            return True
        # It names no case study as its subject (above), so any it names is a yardstick (`_yardsticks`).
        if by_confidence and self._cases.most_named_in(corrected):
            # Pointing back and comparing ('why did they … like Breckland and South Holland?'): what it points back
            # to is the conversation's subject, whatever its words find.
            return False
        # Mostly words the toolkit never uses: about something it (so the conversation so far) doesn't cover. Not
        # when they ask an aspect of what the conversation is about ('was there any pushback?', 'who pays the
        # salary?'): the toolkit's own word for it may differ, and the answer says when it gives none.
        # Pointing back ('what do you have to prove before you can do it?'), one such word among three is the user's
        # wording, not a subject of its own: only mostly such words make it one.
        unknown_enough = MOSTLY_UNKNOWN if refers_back(question) else params.max_unknown_share
        if (
            self.speller.unknown_share(question, self.synonyms if params.use_synonyms else ()) >= unknown_enough
            and not asks_an_aspect(question)
        ):
            return True
        if not by_confidence:  # a bare question ('how many councillors?') finds passages anywhere: no sign
            return False
        best = self.store.dense_search(self.encode(own), 1)
        return bool(best) and best[0][1] >= params.standalone_relevance

    def neighbours(self, passage_id: str, window: int = 1) -> list[Passage]:
        """Passages either side of one in the same section and case study, for context."""
        passages = self.store.passages()
        index = next((i for i, p in enumerate(passages) if p.id == passage_id), None)
        if index is None:
            raise NotFound(f"No passage with id '{passage_id}'.")
        centre = passages[index]
        around = passages[max(0, index - window) : index + window + 1]
        return [
            p
            for p in around
            if p.source == centre.source and p.chapter == centre.chapter and p.case_study == centre.case_study
        ]
