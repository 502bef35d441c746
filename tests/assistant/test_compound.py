"""A compound question searched ask by ask: the fusion rule on its own, then the real assistant over the real index
(the fusion is off by default, see `RetrievalParams.fuse_asks`: these tests switch it on).

Questions are written for these tests in our own words; none is taken from an evaluation set or the issue."""

from __future__ import annotations

import pytest

from assistant.asks import understand
from assistant.compound import ask_queries, fuse_rankings
from assistant.params import RetrievalParams
from assistant.service import Assistant
from core.models import Turn

# Two asks about unrelated parts of the toolkit: one search of the whole lets the longer ask fill the top 5.
TWO_TOPICS = "How did Wyre Forest hand buildings over to its town councils, and what is the Collaboration Curve?"


def test_each_asks_best_passage_leads_when_only_the_asks_count() -> None:
    whole = [("w1", 2.0), ("a1", 1.9), ("w2", 1.8), ("b2", 1.0)]
    per_ask = [[("a1", 1.5), ("a2", 1.4)], [("b1", 1.2), ("b2", 1.1)]]
    order = fuse_rankings(whole, per_ask, whole_weight=0.0)
    assert set(order[:2]) == {"a1", "b1"}
    assert sorted(order) == sorted({"w1", "a1", "w2", "b2", "a2", "b1"})


def test_the_whole_question_lifts_what_it_ranks_high_among_an_asks_passages() -> None:
    per_ask = [[("a1", 1.0), ("a2", 0.9), ("a3", 0.9)]]
    whole = [("a3", 2.0), ("a2", 1.0)]
    assert fuse_rankings(whole, per_ask, whole_weight=0.5) == ["a3", "a1", "a2"]
    assert fuse_rankings(whole, per_ask, whole_weight=0.0) == ["a1", "a3", "a2"]  # ties keep the whole's order


@pytest.mark.parametrize(
    ("question", "second_query"),
    [
        # Points back to the ask before it and names nothing of its own: searched with that ask.
        ("How do councils build a shared vision, and what part should residents play in it?",
         "How do councils build a shared vision what part should residents play in it?"),
        # Names its own subject: searched as itself.
        ("Why do councils share staff, and what did Denmark do to its counties?", "what did Denmark do to its counties?"),
        # Asks about something else altogether.
        ("What is a combined authority, and how are LEP boards chosen?", "how are LEP boards chosen?"),
    ],
)
def test_an_ask_that_points_back_is_searched_with_the_ask_before_it(question: str, second_query: str) -> None:
    assert ask_queries(understand(question).asks)[1] == second_query


def _fused(assistant: Assistant) -> RetrievalParams:
    return assistant.params.model_copy(update={"fuse_asks": True, "search_each_ask": True})


def test_a_compound_search_shows_each_asks_best_passage(assistant: Assistant) -> None:
    # Without the questions written for passages, with which the whole question alone shows both asks' passages.
    text_only = assistant.params.without_written_questions()
    fused = assistant.search(TWO_TOPICS, params=text_only.model_copy(update={"fuse_asks": True, "search_each_ask": True}))
    whole = assistant.search(TWO_TOPICS, params=text_only.model_copy(update={"fuse_asks": False}))
    shown = [h.passage.id for h in fused.hits]
    best = [own.hits[0].passage.id for own in fused.asks]
    assert len(fused.asks) == 2 and len(shown) == assistant.params.k
    assert all(passage_id in shown for passage_id in best)
    # Searched as one query, the question shows only the first ask's case study.
    assert not all(passage_id in [h.passage.id for h in whole.hits] for passage_id in best)
    # Abstention still judges the question as asked.
    assert fused.relevance == pytest.approx(whole.relevance)


def test_the_answer_to_a_compound_question_cites_each_ask(assistant: Assistant) -> None:
    answer = assistant.ask(TWO_TOPICS, params=_fused(assistant))
    headings = {c.hit.passage.case_study or c.hit.passage.section or c.hit.passage.chapter for c in answer.citations}
    assert any("Wyre Forest" in h for h in headings) and "The Collaboration Curve" in headings


@pytest.mark.parametrize(
    "question", ["What are the pros and cons of sharing a chief executive?", "How do districts and counties share services?"]
)
def test_a_question_that_asks_one_thing_is_searched_as_before(assistant: Assistant, question: str) -> None:
    plain = assistant.params.model_copy(update={"fuse_asks": False})
    assert not assistant.understand(question).compound
    fused, whole = assistant.search(question, params=_fused(assistant)), assistant.search(question, params=plain)
    assert [h.passage.id for h in fused.hits] == [h.passage.id for h in whole.hits] and not fused.asks


def test_the_asks_of_a_question_that_stands_alone_do_not_borrow_the_conversation(assistant: Assistant) -> None:
    # Each ask alone is too bare to stand on its own; the question as a whole does.
    question = "Why do districts share staff, and how did Breckland make it work?"
    history = [Turn("user", "What does the toolkit say about business rates pilots?"), Turn("assistant", "…")]
    after = assistant.search(question, history=history, params=_fused(assistant))
    assert not after.query.follow_up and after.asks
    assert [h.passage.id for h in after.hits] == [h.passage.id for h in assistant.search(question, params=_fused(assistant)).hits]
