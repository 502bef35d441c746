"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.errors import NotFound, UnknownFilter
from assistant.params import RetrievalParams
from assistant.query import RewrittenQuery, Speller, Turn, english_words, rewrite
from assistant.store import PassageStore, passage_tokens
from ingest.lexical import words
from ingest.models import CaseStudy, Passage

Encode = Callable[[str], np.ndarray]


@dataclass(frozen=True)
class Filters:
    chapter: str | None = None
    case_study: str | None = None


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


def rrf(rankings: Sequence[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion of several ranked id lists."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, passage_id in enumerate(ids):
            fused[passage_id] = fused.get(passage_id, 0.0) + weight / (k + rank + 1)
    return fused


def collapse_near_duplicates(ids: list[str], vectors: np.ndarray, threshold: float) -> list[str]:
    """Keep the first of any passages whose embeddings are nearly identical (repeated quotes, reprinted text)."""
    kept: list[int] = []
    for i in range(len(ids)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept):
            kept.append(i)
    return [ids[i] for i in kept]


class Retriever:
    """Searches one passage store; the store, encoder and word lists are injected."""

    def __init__(self, store: PassageStore, encode: Encode, synonyms: dict[str, str] | None = None) -> None:
        self.store = store
        self._encode = lru_cache(maxsize=2048)(encode)
        self.synonyms = synonyms or {}
        self.speller = Speller(store.vocabulary(), english_words())
        self.case_studies = store.case_studies()
        self.chapters = sorted({p.chapter for p in store.passages()})
        self._titles = [c.title for c in self.case_studies]
        self._case_index = _case_study_index(store)
        proper = proper_nouns(p.text for p in store.passages()) - {a.lower() for a in store.glossary}
        self._case_sentences = _case_sentence_rows(store, self._case_index[2])
        self._case_names = _case_study_names(self.case_studies, self._case_index[0], proper)

    def encode(self, text: str) -> np.ndarray:
        return self._encode(text)

    def resolve_filters(self, filters: Filters | None) -> Filters | None:
        """Match filter values to real chapters and case studies (case-insensitive; ids accepted)."""
        if filters is None or (not filters.chapter and not filters.case_study):
            return None
        chapter = case_study = None
        if filters.chapter:
            chapter = next((c for c in self.chapters if c.lower() == filters.chapter.strip().lower()), None)
            if chapter is None:
                raise UnknownFilter("chapter", filters.chapter, self.chapters)
        if filters.case_study:
            wanted = filters.case_study.strip().lower()
            match = next((c for c in self.case_studies if wanted in (c.title.lower(), c.id)), None)
            if match is None:
                raise UnknownFilter("case_study", filters.case_study, self._titles)
            case_study = match.title
        return Filters(chapter, case_study)

    def search(
        self,
        question: str,
        params: RetrievalParams = RetrievalParams(),
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> SearchResult:
        """The top-k passages for a question in its conversation."""
        resolved = self.resolve_filters(filters)
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
        )
        vector = self.encode(query.text)
        pool = len(self.store.passages()) if resolved else params.candidates
        dense = self.store.dense_search(vector, pool)
        sentences = self.store.sentence_search(vector, pool) if params.sentence_weight > 0 else []
        lexical = self.store.lexical_search(passage_tokens(query.lexical), pool)
        if resolved:
            allowed = {p.id for p in self.store.passages() if _matches(p, resolved)}
            dense = [(i, s) for i, s in dense if i in allowed][: params.candidates]
            sentences = [(i, s) for i, s in sentences if i in allowed][: params.candidates]
            lexical = [(i, s) for i, s in lexical if i in allowed][: params.candidates]
        rankings = [
            ([i for i, _ in dense], params.dense_weight),
            ([i for i, _ in sentences], params.sentence_weight * params.dense_weight),
            ([i for i, _ in lexical], params.lexical_weight),
        ]
        if params.case_weight > 0 and not (resolved and resolved.case_study):
            if _wants_example(question):
                rankings.append((self._by_case_study(vector, dict(dense), params.candidates), params.case_weight))
        fused = rrf(rankings, params.rrf_k)
        if params.named_boost > 0 and not (resolved and resolved.case_study):
            # A question that names a case study is about it: its passages outrank look-alikes from elsewhere.
            named = {i for i in self._passages_of(self._named_case_studies(query.text), vector, 1000)}
            fused = {i: score * (1 + params.named_boost) if i in named else score for i, score in fused.items()}
        ranked = sorted(fused, key=lambda i: -fused[i])[: params.k * 3]
        if ranked:
            ranked = collapse_near_duplicates(ranked, self.store.passage_vectors(ranked), params.dedupe_threshold)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        vectors = self.store.passage_vectors(ranked) if ranked else np.zeros((0, len(vector)))
        cosine = dict(zip(ranked, (vectors @ vector).tolist()))
        hits = [
            Hit(self.store.passage(i), fused[i], dense_scores.get(i, cosine[i]), lexical_scores.get(i, 0.0))
            for i in ranked[: params.k]
        ]
        relevance = max((s for _, s in dense[:1]), default=0.0)
        focus = self.encode(question) if query.follow_up else None
        return SearchResult(hits, query, relevance, vector, focus, bool(resolved and resolved.case_study))

    def _named_case_studies(self, text: str) -> list[int]:
        """Case studies the question names ('Central Lincolnshire', 'Publica', 'Wyre Forest')."""
        tokens = set(words(text))
        named = []
        for case, (weights, total) in enumerate(self._case_names):
            if total and sum(w for t, w in weights.items() if t in tokens) / total >= NAMED_SHARE:
                named.append(case)
        return named

    def _passages_of(self, cases: list[int], vector: np.ndarray, limit: int) -> list[str]:
        """The named case studies' passages, closest to the question first."""
        _, _, members = self._case_index
        ids = [i for case in cases for i in members[case]]
        if not ids:
            return []
        order = np.argsort(-(self.store.passage_vectors(ids) @ vector))
        return [ids[j] for j in order][:limit]

    def _by_case_study(self, vector: np.ndarray, dense: dict[str, float], limit: int) -> list[str]:
        """Passages of the case studies that, as a whole, best fit the question (case by case, best passage first).

        A case study's fit mixes its centroid (what it is about overall) with its best sentence (the one
        detail the question may hinge on); either alone favours the long, generic shared-services studies.
        """
        titles, matrix, members = self._case_index
        if not titles:
            return []
        rows, starts = self._case_sentences
        # One product over every case study's sentences, then the best per case study.
        best_sentence = np.maximum.reduceat(self.store.sentence_vectors(rows) @ vector, starts) if rows else np.zeros(len(titles))
        fit = CASE_CENTROID_SHARE * (matrix @ vector) + (1 - CASE_CENTROID_SHARE) * best_sentence
        order = np.argsort(-fit)[:CASE_STUDIES_CONSIDERED]
        ranked: list[str] = []
        for case in order:
            ids = members[int(case)]
            vectors = self.store.passage_vectors(ids)
            ranked += [ids[j] for j in np.argsort(-(vectors @ vector))]
        return ranked[:limit]

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


CASE_CENTROID_SHARE = 0.5
CASE_STUDIES_CONSIDERED = 3
_EXAMPLE = re.compile(
    r"\b(example|examples|case stud|anyone|any council|any district|anybody|has any|have any|is there|are there|who has|"
    r"which council|which district|where has|where have|done this|tried|elsewhere|other councils)",
    re.IGNORECASE,
)


def _wants_example(question: str) -> bool:
    """Officers looking for a case study that fits their situation."""
    return bool(_EXAMPLE.search(question))


NAMED_SHARE = 0.5
_GENERIC_NAME_WORDS = frozenset(
    "the a an and of in on for to with by at as our from district districts council councils dc borough city county "
    "case study partnership partners group service services health housing local government authority authorities".split()
)


def proper_nouns(texts: Iterable[str]) -> set[str]:
    """Words the corpus nearly always capitalises mid-sentence: place and organisation names ('Kent', 'Publica')."""
    upper: dict[str, int] = {}
    lower: dict[str, int] = {}
    for text in texts:
        for match in re.finditer(r"(?<![.!?:•]\s)(?<!^)\b([A-Za-z][a-z]+)\b", text):
            word = match.group(1)
            target = upper if word[0].isupper() else lower
            target[word.lower()] = target.get(word.lower(), 0) + 1
    return {w for w, n in upper.items() if n >= 9 * lower.get(w, 0)}


def _case_study_names(
    case_studies: list[CaseStudy], titles: list[str], proper: set[str]
) -> list[tuple[dict[str, float], float]]:
    """Per case study (in index order), the proper nouns of its names, weighted by rarity among case studies."""
    names: dict[str, set[str]] = {}
    for study in case_studies:
        text = f"{study.title} {study.label or ''}"
        names[study.title] = {w for w in words(text) if w in proper and w not in _GENERIC_NAME_WORDS and len(w) > 2}
    frequency: dict[str, int] = {}
    for tokens in names.values():
        for token in tokens:
            frequency[token] = frequency.get(token, 0) + 1
    result = []
    for title in titles:
        tokens = names.get(title, set())
        weights = {t: 1.0 / frequency[t] for t in tokens}
        # Naming the rarest word or two is enough: 'Publica', 'Central Lincolnshire', 'Wyre Forest'.
        top = sorted(weights.values(), reverse=True)[:2]
        result.append((weights, sum(top)))
    return result


def _case_sentence_rows(store: PassageStore, members: list[list[str]]) -> tuple[list[int], list[int]]:
    """Sentence rows of each case study, laid end to end, and where each case study's run starts."""
    rows: list[int] = []
    starts: list[int] = []
    for ids in members:
        own = [s.row for i in ids for s in store.sentences_of(i)]
        if not own:  # reduceat needs a non-empty run: fall back to the passages' first sentence anywhere
            own = [store.sentences_of(ids[0])[0].row] if store.sentences_of(ids[0]) else [0]
        starts.append(len(rows))
        rows += own
    return rows, starts


def _case_study_index(store: PassageStore) -> tuple[list[str], np.ndarray, list[list[str]]]:
    """One vector per case study: the normalised mean of its passages' vectors."""
    members: dict[str, list[str]] = {}
    for passage in store.passages():
        if passage.case_study:
            members.setdefault(passage.case_study, []).append(passage.id)
    titles = sorted(members)
    if not titles:
        return [], np.zeros((0, 1), dtype=np.float32), []
    rows = []
    for title in titles:
        mean = store.passage_vectors(members[title]).mean(axis=0)
        rows.append(mean / (np.linalg.norm(mean) or 1.0))
    return titles, np.vstack(rows).astype(np.float32), [members[t] for t in titles]


def _matches(passage: Passage, filters: Filters) -> bool:
    return (not filters.chapter or passage.chapter == filters.chapter) and (
        not filters.case_study or passage.case_study == filters.case_study
    )
