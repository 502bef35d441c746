"""A compound question searched ask by ask: each ask's own search fused with the whole question's, so that every
ask's best passages reach the top results (one search of the whole lets the ask with more words crowd out the
other). Both /search and /ask search through here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.asks import Ask, Understanding
from assistant.params import RetrievalParams
from assistant.retrieval import Searcher, SearchResult, collapse_near_duplicates
from core.models import Filters, Turn
from stores.base import PassageStore

# How deep each ask's ranking is read for fusion, whatever k the caller asked for: the top 5 of a k=10 search are
# then the top 5 of a k=5 one.
ASK_DEPTH = 20
SHOWN = 5  # the results a user sees first, where each ask's best passage must be
_BEYOND = 0.05  # how far below a ranking's last passage one it does not hold is counted
# Words by which a later ask points at what the ask before it is about ('… and what role do districts play in one?').
_POINTS_BACK = re.compile(r"\b(it|its|they|them|their|theirs|this|that|these|those|one|ones|there|the same)\b", re.I)
# A name after an ask's first word ('… what did Denmark do to its counties?'): the ask names its own subject.
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}|\b[A-Z]{2,}s?\b")


def ask_queries(asks: Sequence[Ask]) -> list[str]:
    """What to search for each ask: its own words, after the ask before it when it points back to that one's
    subject and names none of its own ('what part should residents play in it?' is searched with the shared vision
    it is about)."""
    queries = []
    for i, ask in enumerate(asks):
        points_back = i > 0 and not ask.leans_on and _POINTS_BACK.search(ask.text) and not _NAME.search(ask.text)
        queries.append(f"{asks[i - 1].text} {ask.text}" if points_back else ask.query)
    return queries


def fuse_rankings(
    whole: Sequence[tuple[str, float]], per_ask: Sequence[Sequence[tuple[str, float]]], whole_weight: float
) -> list[str]:
    """Passage ids ordered by how far each falls below the best passages of the asks and of the whole question.

    A passage's distance is its score's gap to the top of the closest ask's ranking, plus `whole_weight` times its
    gap to the top of the whole question's: near an ask's best and high for the question as a whole comes first.
    A passage a ranking does not hold counts as just below that ranking's last. Scores are the second stage's,
    which are on one scale for every query; ties keep the whole question's order.
    """

    def gaps(ranking: Sequence[tuple[str, float]]) -> tuple[dict[str, float], float]:
        if not ranking:
            return {}, 1.0
        top = ranking[0][1]
        return {i: top - score for i, score in ranking}, top - ranking[-1][1] + _BEYOND

    ask_gaps = [gaps(ranking) for ranking in per_ask]
    whole_gaps, whole_missing = gaps(whole)

    def distance(passage_id: str) -> float:
        own = min((found.get(passage_id, missing) for found, missing in ask_gaps), default=0.0)
        return own + whole_weight * whole_gaps.get(passage_id, whole_missing)

    candidates = dict.fromkeys(i for ranking in (whole, *per_ask) for i, _ in ranking)
    return sorted(candidates, key=distance)


def search_asks(
    searcher: Searcher,
    store: PassageStore,
    understanding: Understanding,
    params: RetrievalParams,
    history: Sequence[Turn] = (),
    filters: Filters | None = None,
) -> SearchResult:
    """The question's search; when it asks more than one thing and its ranking leaves out an ask's best passage,
    its top k fused from each ask's own search (`fuse_rankings`).

    The result keeps the whole question's query, vector and relevance (abstention judges the question as asked);
    each ask's own search is in `asks`, in order.
    """
    question = understanding.question
    if not (understanding.compound and params.fuse_asks):
        return searcher.search(question, params, history, filters)
    deep = params.model_copy(update={"k": max(params.k, ASK_DEPTH)})
    whole = searcher.search(question, deep, history, filters)
    # The asks of a question that stands on its own stand on their own too: 'has anyone done it?' after it is about
    # its own first ask, not the conversation before.
    leaned_on = history if whole.query.follow_up else ()
    own = [searcher.search(query, deep, leaned_on, filters) for query in ask_queries(understanding.asks)]
    asks = tuple(replace(r, hits=r.hits[: params.k]) for r in own)
    shown = {h.passage.id for h in whole.hits[:SHOWN]}
    if all(not r.hits or r.hits[0].passage.id in shown for r in own):
        # The whole question already shows each ask's best passage: its own ranking stands.
        return replace(whole, hits=whole.hits[: params.k], asks=asks)
    hits = {h.passage.id: h for result in (whole, *own) for h in result.hits}

    def ranking(result: SearchResult) -> list[tuple[str, float]]:
        return [(h.passage.id, h.score) for h in result.hits]

    order = fuse_rankings(ranking(whole), [ranking(r) for r in own], params.ask_whole_weight)[: params.k * 3]
    order = collapse_near_duplicates(order, store.passage_vectors(order), params.dedupe_threshold) if order else order
    return replace(whole, hits=[hits[i] for i in order[: params.k]], asks=asks)
