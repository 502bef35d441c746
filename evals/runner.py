"""Run the question set through several systems and score them, overall and by kind and persona."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from evals.dataset import Question, evidence_found, facts_found, is_relevant
from evals.metrics import RANK_METRICS, mean, percentile, rank_metrics
from evals.systems import Outcome, System

K = 10


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


@dataclass
class SystemReport:
    name: str
    summary: dict[str, float]
    by_kind: dict[str, dict[str, float]]
    by_persona: dict[str, dict[str, float]]
    questions: list[QuestionResult] = field(default_factory=list)


def score_question(question: Question, outcome: Outcome) -> tuple[dict[str, float], int | None]:
    """Answer-level scores for one question (rank metrics are added by the caller)."""
    scores: dict[str, float] = {}
    texts = [p.text for p in outcome.passages]
    ranks = [i for i, text in enumerate(texts, start=1) if is_relevant(text, question.evidence)]
    if question.answerable:
        scores["evidence_coverage@5"] = evidence_found(texts[:5], question.evidence)
    if outcome.answered is not None:
        scores["abstention_accuracy"] = float(outcome.answered == question.answerable)
        if question.answerable and outcome.answered:
            scores["answer_fact_recall"] = facts_found(outcome.answer or "", question.answer_facts)
            if outcome.citations:
                supported = [is_relevant(c.text, question.evidence) for c in outcome.citations]
                scores["citation_support"] = mean([float(s) for s in supported])
                scores["any_citation_supports"] = float(any(supported))
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


def evaluate_system(
    system: System, questions: Sequence[Question], progress: Callable[[int], None] | None = None
) -> SystemReport:
    """Run every question through one system and score it."""
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
            )
        )
    by_kind = {kind: _aggregate([r for r in results if r.kind == kind]) for kind in sorted({r.kind for r in results})}
    by_persona = {p: _aggregate([r for r in results if r.persona == p]) for p in sorted({r.persona for r in results})}
    return SystemReport(system.name, _aggregate(results), by_kind, by_persona, results)


def report_dict(reports: Sequence[SystemReport], meta: dict[str, object]) -> dict[str, object]:
    return {"meta": meta, "metrics": list(RANK_METRICS), "systems": [asdict(r) for r in reports]}
