"""Run a question set through several systems and score them, overall and by kind and persona."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

from evals.dataset import Question, evidence_found, facts_found, is_relevant
from evals.grounding import grounded_share
from evals.metrics import RANK_METRICS, mean, percentile, rank_metrics
from evals.systems import Outcome, System

K = 10
FOUND_AT = 5
# Kinds whose question leans on its history by design; the others are asked again after an unrelated turn.
CONVERSATIONAL = ("follow_up", "topic_change")
# What the replay check scores (`replay_check`).
REPLAYED = ("found@5", "answer_fact_recall")


@dataclass
class QuestionResult:
    """One question's outcome for one system, with its scores."""

    id: str
    kind: str
    persona: str
    question: str
    answerable: bool
    scores: dict[str, float]
    first_relevant_rank: int | None
    retrieved: list[dict[str, object]]
    answer: str | None = None
    answered: bool | None = None
    search_ms: float = 0.0
    ask_ms: float | None = None
    near_miss: bool = False
    history_turns: int = 0


@dataclass
class SystemReport:
    name: str
    summary: dict[str, float]
    by_kind: dict[str, dict[str, float]]
    by_persona: dict[str, dict[str, float]]
    questions: list[QuestionResult] = field(default_factory=list)


def found_at(question: Question, texts: Sequence[str], k: int = FOUND_AT) -> float:
    """1 when every ask of the question has a passage holding its evidence in the top k."""
    top = texts[:k]
    return float(all(any(is_relevant(t, evidence) for t in top) for evidence, _ in question.asks()))


def fact_recall(question: Question, answer: str) -> float:
    """Share of the facts asked for that the answer contains, averaged ask by ask."""
    return mean([facts_found(answer, facts) for _, facts in question.asks() if facts])


def opening(answer: str) -> str:
    """What a reader takes as the answer: everything before its first citation marker (a case study's heading line,
    a glossary definition and the first quoted sentence with the one it leans on)."""
    marker = re.search(r"\[\d+\]", answer)
    return answer[: marker.start()] if marker else answer


def opens_with_fact(question: Question, answer: str) -> float:
    """1 when the answer's opening holds a fact asked for: user trials' first complaint was an answer whose first
    sentence does not answer, with the fact further down or not there at all."""
    return float(any(facts_found(opening(answer), facts) for _, facts in question.asks() if facts))


def score_question(question: Question, outcome: Outcome) -> tuple[dict[str, float], int | None]:
    """Answer-level scores for one question (rank metrics are added by the caller)."""
    scores: dict[str, float] = {}
    texts = [p.text for p in outcome.passages]
    ranks = [i for i, text in enumerate(texts, start=1) if is_relevant(text, question.evidence)]
    if question.answerable:
        scores["evidence_coverage@5"] = evidence_found(texts[:5], question.evidence)
        scores["found@5"] = found_at(question, texts)
    if outcome.answered is None:
        return scores, (ranks[0] if ranks else None)
    scores["abstention_accuracy"] = float(outcome.answered == question.answerable)
    if not question.answerable:
        scores["oos_not_answered"] = float(not outcome.answered)
        if question.near_miss:
            scores["near_miss_not_answered"] = float(not outcome.answered)
        return scores, None
    # A refusal of an answerable question gives none of the facts and cites nothing.
    scores["false_refusal"] = float(not outcome.answered)
    scores["answer_fact_recall"] = fact_recall(question, outcome.answer or "") if outcome.answered else 0.0
    if any(facts for _, facts in question.asks()):
        scores["opening_fact"] = opens_with_fact(question, outcome.answer or "") if outcome.answered else 0.0
    supported = [is_relevant(c.text, question.evidence) for c in outcome.citations]
    scores["cited_evidence"] = float(outcome.answered and any(supported))
    if outcome.answered and supported:
        scores["citation_support"] = mean([float(s) for s in supported])
    if outcome.answered:
        cited = {c.n: (c.text, c.footnotes) for c in outcome.citations if c.n is not None}
        share = grounded_share(outcome.answer or "", cited, outcome.glossary)
        if share is not None:
            scores["marker_grounding"] = share
    return scores, (ranks[0] if ranks else None)


def _aggregate(results: Sequence[QuestionResult]) -> dict[str, float]:
    summary: dict[str, float] = {"questions": float(len(results))}
    names = sorted({name for r in results for name in r.scores})
    for name in names:
        values = [r.scores[name] for r in results if name in r.scores]
        if values:
            summary[name] = round(mean(values), 4)
    search = [r.search_ms for r in results]
    asks = [r.ask_ms for r in results if r.ask_ms is not None]
    summary["search_ms_p50"], summary["search_ms_p95"] = round(percentile(search, 50), 1), round(percentile(search, 95), 1)
    if asks:
        summary["ask_ms_p50"], summary["ask_ms_p95"] = round(percentile(asks, 50), 1), round(percentile(asks, 95), 1)
    return summary


def unrelated_turn(question: Question, pool: Sequence[Question]) -> list[dict[str, str]]:
    """An earlier exchange about another topic: a standalone answerable question and its evidence as the answer."""
    others = [q for q in pool if q.answerable and q.standalone and q.kind not in CONVERSATIONAL and _topic(q) != _topic(question)]
    if not others:
        return []
    # Deterministic but spread: the same question always gets the same earlier turn.
    other = others[sum(map(ord, question.id)) % len(others)]
    return [{"role": "user", "content": other.question}, {"role": "assistant", "content": " ".join(other.evidence)}]


def _topic(question: Question) -> str:
    return question.topic or question.case_study or question.id


def conversation_check(
    system: System,
    questions: Sequence[Question],
    alone: dict[str, dict[str, float]],
    progress: Callable[[int], None] | None = None,
) -> dict[str, dict[str, float]]:
    """Each standalone question asked again after an unrelated turn: its scores then, beside its scores alone."""
    checked: dict[str, dict[str, float]] = {}
    for question in questions:
        if not question.standalone or question.kind in CONVERSATIONAL:
            continue
        history = unrelated_turn(question, questions)
        if progress:
            progress(1)
        if not history:
            continue
        scores, _ = score_question(question, system.run(replace(question, history=history), K))
        after = {f"{name}_after_turn": value for name, value in scores.items() if name in ("found@5", "oos_not_answered")}
        before = {f"{name}_alone": alone[question.id][name] for name in ("found@5", "oos_not_answered") if name in alone[question.id]}
        checked[question.id] = {**after, **before}
    return checked


def replayed(question: Question) -> bool:
    """Whether the replay check asks the question again (`replay_check`)."""
    return bool(question.answerable and question.history and question.kind in CONVERSATIONAL)


def replayed_history(system: System, question: Question) -> list[dict[str, str]]:
    """The question's earlier user turns asked of the system in order, each answer as the system gave it."""
    history: list[dict[str, str]] = []
    for turn in question.history:
        if turn["role"] != "user":
            continue
        earlier = system.run(replace(question, question=turn["content"], history=list(history)), K)
        history += [turn, {"role": "assistant", "content": earlier.answer or ""}]
    return history


def replay_check(
    system: System,
    questions: Sequence[Question],
    progress: Callable[[int], None] | None = None,
) -> dict[str, dict[str, float]]:
    """Each answerable follow-up asked again after its earlier user turns as the system answered them, not as the
    question's writer imagined the answers: a user's follow-up leans on what the assistant said, which may name
    another case study than the writer had in mind, or name it where the writer's reply kept it vague."""
    checked: dict[str, dict[str, float]] = {}
    if not system.answers:
        return checked
    for question in questions:
        if not replayed(question):
            continue
        if progress:
            progress(1)
        scores, _ = score_question(question, system.run(replace(question, history=replayed_history(system, question)), K))
        checked[question.id] = {f"{name}_replayed": scores[name] for name in REPLAYED if name in scores}
    return checked


def evaluate_system(
    system: System,
    questions: Sequence[Question],
    progress: Callable[[int], None] | None = None,
    conversation: bool = True,
) -> SystemReport:
    """Run every question through one system and score it; then, optionally, the conversation check."""
    outcomes: dict[str, Outcome] = {}
    for question in questions:
        outcomes[question.id] = system.run(question, K)
        if progress:
            progress(1)
    answerable = [q for q in questions if q.answerable]
    relevant = {
        q.id: {p.id for p in outcomes[q.id].passages if is_relevant(p.text, q.evidence)} for q in answerable
    }
    ranked = {q.id: [p.id for p in outcomes[q.id].passages] for q in answerable}
    per_query = rank_metrics(relevant, ranked) if answerable else {}
    results = []
    for question in questions:
        outcome = outcomes[question.id]
        scores, first = score_question(question, outcome)
        scores.update(per_query.get(question.id, {}))
        results.append(
            QuestionResult(
                id=question.id,
                kind=question.kind,
                persona=question.persona,
                question=question.question,
                answerable=question.answerable,
                scores=scores,
                first_relevant_rank=first,
                retrieved=[{"id": p.id, "case_study": p.case_study, "text": p.text[:300]} for p in outcome.passages[:5]],
                answer=outcome.answer,
                answered=outcome.answered,
                search_ms=round(outcome.search_ms, 2),
                ask_ms=round(outcome.ask_ms, 2) if outcome.ask_ms is not None else None,
                near_miss=question.near_miss,
                history_turns=len(question.history),
            )
        )
    if conversation:
        checked = conversation_check(system, questions, {r.id: r.scores for r in results}, progress)
        for result in results:
            result.scores.update(checked.get(result.id, {}))
        replayed = replay_check(system, questions, progress)
        for result in results:
            result.scores.update(replayed.get(result.id, {}))
    by_kind = {kind: _aggregate([r for r in results if r.kind == kind]) for kind in sorted({r.kind for r in results})}
    by_persona = {p: _aggregate([r for r in results if r.persona == p]) for p in sorted({r.persona for r in results})}
    return SystemReport(system.name, _aggregate(results), by_kind, by_persona, results)


def report_dict(reports: Sequence[SystemReport], meta: dict[str, object]) -> dict[str, object]:
    return {"meta": meta, "metrics": list(RANK_METRICS), "systems": [asdict(r) for r in reports]}
