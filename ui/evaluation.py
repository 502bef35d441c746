"""The latest evaluation report (evals/reports/<run>/report.json) turned into rows for tables and charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT
from evals.report import HEADLINE, latest_report, set_reports

REPORTS_DIR = PROJECT_ROOT / "evals" / "reports"
CHART_METRICS = ("found@5", "recall@5")
Row = dict[str, Any]


def load_latest(reports_dir: Path = REPORTS_DIR) -> tuple[Path, dict[str, Any]] | None:
    """The newest report's folder and contents, or None when no evaluation has been run."""
    folder = latest_report(reports_dir)
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
