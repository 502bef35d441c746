"""Both question sets check themselves against the corpus and the index; the blind set also against its method."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from core.models import Passage
from core.text import normalise
from evals.assemble_blind import SOURCES, assemble, is_dev_only
from evals.dataset import BLIND_KINDS, BLIND_SET, DEFAULT_SET, KINDS, PERSONAS, is_relevant, load_questions

SETS = {"curated": DEFAULT_SET, "blind": BLIND_SET}


@pytest.fixture(scope="module", params=sorted(SETS))
def questions(request):  # type: ignore[no-untyped-def]
    return load_questions(SETS[request.param])


@pytest.fixture(scope="module")
def blind():  # type: ignore[no-untyped-def]
    return load_questions(BLIND_SET)


def test_size_kinds_and_personas_of_the_curated_set() -> None:
    questions = load_questions(DEFAULT_SET)
    assert len(questions) >= 150
    kinds = Counter(q.kind for q in questions)
    assert set(kinds) == set(KINDS)
    assert kinds["out_of_scope"] >= 20


def test_every_set_has_unique_ids_all_personas_and_both_splits(questions) -> None:  # type: ignore[no-untyped-def]
    assert {q.persona for q in questions} == set(PERSONAS)
    assert len({q.id for q in questions}) == len(questions)
    assert {q.split for q in questions} == {"dev", "test"}
    assert {q.kind for q in questions} <= set(BLIND_KINDS)


def test_the_blind_set_has_the_mix_the_issue_asks_for(blind) -> None:  # type: ignore[no-untyped-def]
    kinds = Counter(q.kind for q in blind)
    assert len(blind) >= 200
    assert kinds["paraphrase"] >= 50
    assert kinds["case_study"] >= 30
    assert kinds["compound"] >= 25
    assert kinds["misspelled"] >= 15
    with_history = [q for q in blind if q.history]
    assert len(with_history) >= 25
    assert any(len(q.history) >= 4 for q in with_history)  # three turns or more: two earlier exchanges
    assert kinds["topic_change"] >= 5
    out_of_scope = [q for q in blind if not q.answerable]
    assert len(out_of_scope) >= 50
    assert sum(q.near_miss for q in out_of_scope) >= 40


def test_every_curated_evidence_span_is_in_the_corpus(toolkit_text: str) -> None:
    """The blind set's locators copied from passages, which rejoin words and re-order boxes; see the passage test."""
    corpus = normalise(toolkit_text)
    for question in load_questions(DEFAULT_SET):
        for span in question.evidence:
            assert normalise(span) in corpus, (question.id, span)


def test_every_answer_fact_is_inside_its_evidence(questions) -> None:  # type: ignore[no-untyped-def]
    for question in questions:
        for evidence, facts in question.asks():
            for fact in facts:
                assert any(normalise(fact) in normalise(span) for span in evidence), (question.id, fact)


def test_answerable_questions_have_evidence_and_conversations_have_history(questions) -> None:  # type: ignore[no-untyped-def]
    for question in questions:
        assert bool(question.evidence) == question.answerable, question.id
        if question.kind in ("follow_up", "topic_change"):
            assert any(turn["role"] == "user" for turn in question.history), question.id
            assert {turn["role"] for turn in question.history} <= {"user", "assistant"}
        if question.kind == "compound":
            assert len(question.parts) >= 2 and all(p["evidence"] and p["answer_facts"] for p in question.parts)


def test_every_evidence_span_is_in_some_passage(questions, passages: list[Passage]) -> None:  # type: ignore[no-untyped-def]
    """Relevance is chunker-independent, but a span the chunker cut in two could never be retrieved."""
    for question in questions:
        for evidence, _ in question.asks() if question.answerable else []:
            for span in evidence:
                assert any(is_relevant(p.text, [span]) for p in passages), (question.id, span)


def test_every_chapter_and_case_study_is_covered_by_the_curated_set(passages: list[Passage]) -> None:
    covered_chapters, covered_cases = set(), set()
    for question in load_questions(DEFAULT_SET):
        for passage in passages:
            if question.answerable and is_relevant(passage.text, question.evidence):
                covered_chapters.add(passage.chapter)
                if passage.case_study:
                    covered_cases.add(passage.case_study)
    assert covered_chapters == {p.chapter for p in passages}
    assert covered_cases == {p.case_study for p in passages if p.case_study}


def test_the_blind_split_keeps_each_topic_on_one_side(blind, passages: list[Passage]) -> None:  # type: ignore[no-untyped-def]
    """Nothing tuned on dev may have seen a question about a test passage's case study or section. The topics are
    those the split was made by (each question's own, kept as published); a section named since (a page's title
    printed under its text, 2026-12-06) may join two of them, so today's index is held to its passages: none holds
    evidence for both sides."""
    topic_sides: dict[str, set[str]] = {}
    passage_sides: dict[str, set[str]] = {}
    for question in blind:
        if question.answerable:
            for topic in question.topic.split(" | "):
                topic_sides.setdefault(topic, set()).add(question.split)
            for passage in passages:
                if is_relevant(passage.text, question.evidence):
                    passage_sides.setdefault(passage.id, set()).add(question.split)
                    topic_sides.setdefault(passage.case_study or "", set()).add(question.split)
    topic_sides.pop("", None)
    for sides in (topic_sides, passage_sides):
        assert sides and all(len(split) == 1 for split in sides.values()), {t: s for t, s in sides.items() if len(s) > 1}


def test_every_blind_question_is_word_for_word_as_its_writer_wrote_it(blind) -> None:  # type: ignore[no-untyped-def]
    written = {}
    for path in SOURCES.glob("writer_*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                written[f"b{row['id']}"] = row
    for question in blind:
        assert question.question == written[question.id]["question"], question.id
        assert question.history == written[question.id].get("history", []), question.id


def test_a_round_pinned_to_dev_moves_no_earlier_question(blind, passages: list[Passage], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The published set is what assembling gives, and assembling without the dev-only rounds gives every earlier
    question the same split: adding them can never move a tuned-on question to test, or a test one to dev."""
    pinned = [p for p in SOURCES.glob("*_*.jsonl") if is_dev_only(p)]
    assert pinned, "no dev-only round in blind_sources/"
    rows, later, _ = assemble(SOURCES, passages, BLIND_SET)
    assert {r["id"]: r["split"] for r in rows} == {q.id: q.split for q in blind}
    assert later and all(r["split"] == "dev" for r in later)
    earlier_sources = tmp_path / "sources"
    earlier_sources.mkdir()
    for path in SOURCES.glob("*.jsonl"):
        if path not in pinned:
            shutil.copy(path, earlier_sources)
    without, none, _ = assemble(earlier_sources, passages, BLIND_SET)
    assert not none
    assert {r["id"]: r["split"] for r in without} == {r["id"]: r["split"] for r in rows if r not in later}


def test_a_dev_only_question_sharing_a_passage_with_a_test_question_is_left_out(passages: list[Passage]) -> None:
    """Topic names alone miss it once the index is chunked again: the published test question keeps its old topic."""
    from evals.assemble_blind import pin_to_dev

    passage = next(p for p in passages if len(p.text) > 400)
    evidence = [passage.text[40:140]]
    tested = [{"id": "bT", "answerable": True, "split": "test", "topic": "an old section's name", "evidence": evidence}]
    later = [{"id": "bL", "answerable": True, "split": "", "topic": "the new section's name", "evidence": evidence}]
    elsewhere = next(p for p in passages if p.id != passage.id and len(p.text) > 400)
    other = [{"id": "bO", "answerable": True, "split": "", "topic": "the new section's name", "evidence": [elsewhere.text[40:140]]}]
    assert pin_to_dev(later, tested, passages) == []
    assert [r["id"] for r in pin_to_dev(other, tested, passages)] == ["bO"]
