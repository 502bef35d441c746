"""The curated question set checks itself against the corpus and the index."""

from __future__ import annotations

from collections import Counter

import pytest

from core.models import Passage
from core.text import normalise
from evals.dataset import KINDS, PERSONAS, is_relevant, load_questions


@pytest.fixture(scope="module")
def questions():  # type: ignore[no-untyped-def]
    return load_questions()


def test_size_kinds_and_personas(questions) -> None:  # type: ignore[no-untyped-def]
    assert len(questions) >= 150
    kinds = Counter(q.kind for q in questions)
    assert set(kinds) == set(KINDS)
    assert kinds["out_of_scope"] >= 20
    assert {q.persona for q in questions} == set(PERSONAS)
    assert len({q.id for q in questions}) == len(questions)
    assert {q.split for q in questions} == {"dev", "test"}


def test_every_evidence_span_is_in_the_corpus(questions, toolkit_text: str) -> None:  # type: ignore[no-untyped-def]
    corpus = normalise(toolkit_text)
    for question in questions:
        for span in question.evidence:
            assert normalise(span) in corpus, (question.id, span)


def test_every_answer_fact_is_inside_its_evidence(questions) -> None:  # type: ignore[no-untyped-def]
    for question in questions:
        for fact in question.answer_facts:
            assert any(normalise(fact) in normalise(span) for span in question.evidence), (question.id, fact)


def test_answerable_questions_have_evidence_and_follow_ups_have_history(questions) -> None:  # type: ignore[no-untyped-def]
    for question in questions:
        assert bool(question.evidence) == question.answerable, question.id
        if question.kind == "follow_up":
            assert any(turn["role"] == "user" for turn in question.history), question.id
            assert {turn["role"] for turn in question.history} <= {"user", "assistant"}


def test_every_evidence_span_is_in_some_passage(questions, passages: list[Passage]) -> None:  # type: ignore[no-untyped-def]
    """Relevance is chunker-independent, but a span the chunker cut in two could never be retrieved."""
    for question in questions:
        if question.answerable:
            assert any(is_relevant(p.text, question.evidence) for p in passages), question.id


def test_every_chapter_and_case_study_is_covered(questions, passages: list[Passage]) -> None:  # type: ignore[no-untyped-def]
    covered_chapters, covered_cases = set(), set()
    for question in questions:
        for passage in passages:
            if question.answerable and is_relevant(passage.text, question.evidence):
                covered_chapters.add(passage.chapter)
                if passage.case_study:
                    covered_cases.add(passage.case_study)
    assert covered_chapters == {p.chapter for p in passages}
    assert covered_cases == {p.case_study for p in passages if p.case_study}
