"""Answer-level scores of the evaluation runner, on answers written here in the shape the assistant gives."""

from __future__ import annotations

from dataclasses import replace

from evals.dataset import Question
from evals.runner import opening, opens_with_fact

QUESTION = Question(
    id="x1",
    split="dev",
    persona="councillor",
    kind="case_study",
    question="How much did the three councils save by sharing a planning team?",
    answer_facts=["over £100k per annum"],
)


def test_the_opening_is_what_comes_before_the_first_citation_marker() -> None:
    answer = "Shared Planning (starts on page 60):\n\nThe councils share one team. [1] Each saved over £100k per annum. [1]"
    assert opening(answer) == "Shared Planning (starts on page 60):\n\nThe councils share one team. "


def test_an_answer_holding_the_fact_only_further_down_does_not_open_with_it() -> None:
    later = "The councils share one team. [1] Each saved over £100k per annum. [1]"
    first = "Each saved over £100k per annum. [1] The councils share one team. [1]"
    assert opens_with_fact(QUESTION, later) == 0.0
    assert opens_with_fact(QUESTION, first) == 1.0


def test_a_compound_question_opens_with_a_fact_of_any_of_its_asks() -> None:
    compound = Question(
        id="x2", split="dev", persona="officer", kind="compound", question="Who shares planning, and what did they save?",
        parts=[{"ask": "who", "answer_facts": ["Central Lincolnshire"]}, {"ask": "save", "answer_facts": ["£100k"]}],
    )
    assert opens_with_fact(compound, "They saved £100k a year. [1] Central Lincolnshire … [2]") == 1.0
    assert opens_with_fact(compound, "Planning is shared widely. [1] Central Lincolnshire … [2]") == 0.0


def test_a_follow_up_is_replayed_after_the_answers_the_system_gave_its_earlier_turns(assistant) -> None:  # type: ignore[no-untyped-def]
    """Written for this test: the writer's imagined reply names nothing; the replayed one is the assistant's own."""
    from evals.runner import replay_check, replayed_history
    from evals.systems import AssistantSystem

    opener = "Has a group of councils set up a company together to run their services?"
    question = replace(
        QUESTION,
        id="x2",
        kind="follow_up",
        question="How many councils own it?",
        history=[{"role": "user", "content": opener}, {"role": "assistant", "content": "Yes, one group did."}],
        evidence=["Publica Group is a Joint Venture Teckal company"],
        answer_facts=["Publica"],
    )
    system = AssistantSystem(assistant)
    history = replayed_history(system, question)
    assert [t["role"] for t in history] == ["user", "assistant"] and history[0]["content"] == opener
    assert history[1]["content"] == assistant.ask(opener).text != question.history[1]["content"]
    scores = replay_check(system, [question])["x2"]
    assert set(scores) == {"found@5_replayed", "answer_fact_recall_replayed"}
    # A baseline that gives no answers has nothing to replay.
    assert replay_check(AssistantSystem(assistant, answers=False), [question]) == {}


def test_the_single_retriever_baselines_search_no_written_questions() -> None:
    """The questions written for passages are ours: a baseline searching them would not be BM25 or dense alone."""
    from evals.systems import baseline_params

    for kind in ("bm25", "dense"):
        params = baseline_params(kind)
        assert params.asked_weight == params.asked_lexical_weight == params.rerank_asked == 0.0, kind
