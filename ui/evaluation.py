"""The latest evaluation report (evals/reports/<run>/report.json) turned into rows for tables and charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.settings import get_settings
from evals.report import HEADLINE, latest_report, set_reports

CHART_METRICS = ("found@5", "recall@5")
Row = dict[str, Any]

# One line per score the report can hold, in words a content editor would use. Shares are over the questions the
# score applies to (answerable ones, out-of-scope ones…), as evals/runner.py computes them.
MEANINGS = {
    "questions": "how many questions of the set were asked.",
    "found@5": "the passage answering the question is among the first 5 found (every part, for a two-part question).",
    "hit_rate@5": "at least one passage answering the question is among the first 5 found.",
    "recall@5": "of all the passages that answer the question, the share found in the first 5.",
    "mrr@10": "how near the top the first answering passage comes (1 = first, 0.5 = second, 0 = not in the top 10).",
    "ndcg@10": "how well the first 10 passages are ordered, answering ones first (1 = perfect order).",
    "evidence_coverage@5": "the share of the expected evidence that the first 5 passages contain.",
    "answer_fact_recall": "the share of the facts asked for that the answer itself states.",
    "opening_fact": "the answer's opening (before its first [n]) states a fact asked for: the answer comes first.",
    "cited_evidence": "the answer cites at least one passage that holds the expected evidence.",
    "citation_support": "the share of the answer's citations that hold the expected evidence.",
    "marker_grounding": "the share of the answer's sentences found word for word in the source their [n] points to.",
    "abstention_accuracy": "answered when the toolkit covers the question, and declined when it does not.",
    "oos_not_answered": "out-of-scope questions correctly declined.",
    "near_miss_not_answered": "questions close to the toolkit's topics but not covered by it, correctly declined.",
    "false_refusal": "answerable questions wrongly declined (lower is better).",
    "found@5_alone": "found@5 for standalone questions asked on their own (the conversation check's baseline).",
    "found@5_after_turn": "found@5 for the same questions asked after an unrelated turn (should match _alone).",
    "found@5_replayed": "found@5 for follow-ups asked after their earlier turns as the assistant itself answered them.",
    "answer_fact_recall_replayed": "answer_fact_recall for follow-ups asked after the assistant's own earlier answers.",
    "oos_not_answered_after_turn": "out-of-scope questions still declined after an unrelated turn.",
    "search_ms_p50": "median time to search, in milliseconds (lower is better).",
    "ask_ms_p50": "median time to answer, in milliseconds (lower is better).",
}


def meanings(columns: list[str]) -> list[tuple[str, str]]:
    """The one-line meaning of each score among `columns`, in their order; a score not described is named as such."""
    shown = dict.fromkeys(columns)
    return [(name, MEANINGS.get(name, "a score this page has no description for yet.")) for name in shown]


def reports_dir() -> Path:
    """Where `localities eval` and the service's runs write reports (LOCALITIES_EVAL_REPORTS_DIR)."""
    return get_settings().eval_reports_dir


def load_latest(folder_of_reports: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The newest report's folder and contents, or None when no evaluation has been run."""
    folder = latest_report(folder_of_reports or reports_dir())
    if folder is None:
        return None
    return folder, json.loads((folder / "report.json").read_text(encoding="utf-8"))


def sections(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The report's question sets (curated, blind), each read by the functions below."""
    return set_reports(report)


def overall(report: dict[str, Any]) -> list[Row]:
    """One row per system (ours first, then the baselines) with the headline metrics it has."""
    return [
        {"system": s["name"], **{m: s["summary"][m] for m in HEADLINE if m in s["summary"]}} for s in report["systems"]
    ]


def by_group(report: dict[str, Any], group: str, metrics: tuple[str, ...] = CHART_METRICS) -> list[Row]:
    """Our system's metrics per question kind (`by_kind`) or persona (`by_persona`)."""
    ours = report["systems"][0][group]
    rows = []
    for name, values in ours.items():
        row: Row = {group.removeprefix("by_"): name, "questions": int(values.get("questions", 0))}
        row.update({m: values[m] for m in metrics if m in values})
        rows.append(row)
    return rows


def misses(report: dict[str, Any], shown: int = 3) -> list[Row]:
    """Answerable questions whose answer was not in our top 5, with what was retrieved instead."""
    rows = []
    for q in report["systems"][0]["questions"]:
        if not q["answerable"] or q["scores"].get("found@5", q["scores"].get("hit_rate@5", 0)) > 0:
            continue
        instead = [
            f"{r.get('case_study') or 'General text'}: {' '.join(str(r['text']).split())[:120]}…"
            for r in q["retrieved"][:shown]
        ]
        rows.append(
            {
                "id": q["id"],
                "kind": q["kind"],
                "persona": q["persona"],
                "question": q["question"],
                "first relevant at rank": q.get("first_relevant_rank"),
                "retrieved instead": "\n".join(instead),
            }
        )
    return rows


def abstention_errors(report: dict[str, Any]) -> list[Row]:
    """Questions answered that should have been declined, or declined that should have been answered."""
    return [
        {
            "id": q["id"],
            "kind": q["kind"],
            "question": q["question"],
            "what happened": "answered" if q["answered"] else "declined",
        }
        for q in report["systems"][0]["questions"]
        if q.get("answered") is not None and q["answered"] != q["answerable"]
    ]
