"""Write an evaluation report: JSON for machines, Markdown with charts for the content team."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HEADLINE = (
    "found@5",
    "hit_rate@5",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "evidence_coverage@5",
    "answer_fact_recall",
    "opening_fact",
    "cited_evidence",
    "citation_support",
    "marker_grounding",
    "abstention_accuracy",
    "oos_not_answered",
    "near_miss_not_answered",
    "false_refusal",
    "found@5_alone",
    "found@5_after_turn",
    "oos_not_answered_after_turn",
    "found@5_replayed",
    "answer_fact_recall_replayed",
    "search_ms_p50",
    "ask_ms_p50",
)
# The terminal table is narrower than the Markdown one.
SUMMARY_COLUMNS = ("found@5", "mrr@10", "answer_fact_recall", "cited_evidence", "marker_grounding", "oos_not_answered", "false_refusal", "found@5_after_turn")
EXPLAINED = {
    "found@5": "every ask of the question has a passage holding its evidence in the top 5 (a compound question needs all its parts)",
    "hit_rate@5": "a passage holding an evidence span is in the top 5",
    "recall@5": "share of all passages holding evidence that are in the top 5 (ranx)",
    "mrr@10": "1 / rank of the first passage holding evidence, 0 past 10",
    "answer_fact_recall": "share of the facts asked for that appear in the answer, ask by ask; a refusal scores 0",
    "opening_fact": "the answer's opening (everything before its first citation marker) holds a fact asked for; a refusal scores 0",
    "cited_evidence": "a passage the answer cites holds an evidence span; a refusal scores 0",
    "citation_support": "share of cited passages holding an evidence span (answered questions)",
    "marker_grounding": "share of [n]-marked sentences found in the passage [n] cites",
    "oos_not_answered": "out-of-scope questions not answered as if covered",
    "near_miss_not_answered": "the same, for near misses (a later event, a local figure, a procedure, advice, another country)",
    "false_refusal": "answerable questions refused",
    "found@5_alone / found@5_after_turn": "standalone questions asked alone, and again after an unrelated earlier turn",
    "found@5_replayed / answer_fact_recall_replayed": "follow-ups asked after their earlier turns as this system answered them",
}


def set_reports(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each question set's section ({"meta", "systems"}); a report from before sets existed is one 'curated' section."""
    if "sets" in report:
        return dict(report["sets"])
    return {"curated": report}


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else (f"{value:.1f}" if isinstance(value, float) else str(value))


def _table(rows: dict[str, dict[str, float]], columns: tuple[str, ...]) -> str:
    present = [c for c in columns if any(c in r for r in rows.values())]
    lines = ["| | " + " | ".join(present) + " |", "|---|" + "---|" * len(present)]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(row.get(c, "–")) for c in present) + " |")
    return "\n".join(lines)


def _chart(section: dict, path: Path, group: str, metric: str = "found@5") -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = section["systems"]
    groups = sorted({g for s in systems for g in s[group] if metric in s[group][g]})
    if not groups:
        return False
    figure, axis = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / len(systems)
    for i, system in enumerate(systems):
        values = [system[group].get(g, {}).get(metric, 0.0) for g in groups]
        axis.bar([x + i * width for x in range(len(groups))], values, width, label=system["name"])
    axis.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(groups))], groups, rotation=15)
    axis.set_ylim(0, 1)
    axis.set_ylabel(metric)
    axis.set_title(f"{metric} by {group.removeprefix('by_')}")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def _section(name: str, section: dict, directory: Path) -> list[str]:
    systems = section["systems"]
    meta = section["meta"]
    parts = [
        f"## The {name} set",
        f"{meta.get('questions')} questions ({meta.get('split')} split, `{meta.get('path', name)}`).",
        "### Overall",
        _table({s["name"]: s["summary"] for s in systems}, HEADLINE),
    ]
    ours = systems[0]
    for group, heading in (("by_kind", "By kind of question"), ("by_persona", "By persona")):
        chart = f"{group}_{name}.png"
        parts.append(f"### {heading}")
        if _chart(section, directory / chart, group):
            parts.append(f"![{heading}]({chart})")
        for system in systems:
            parts += [f"{system['name']}:", _table(system[group], HEADLINE)]
    misses = [q for q in ours["questions"] if q["answerable"] and q["scores"].get("found@5", 0) == 0]
    parts.append(f"### Misses of {ours['name']} ({len(misses)}): an ask's evidence not in the top 5")
    for q in misses:
        got = "; ".join(f"{r.get('case_study') or '—'}: {str(r['text'])[:90]}…" for r in q["retrieved"][:3])
        parts.append(f"- **{q['id']}** ({q['kind']}, {q['persona']}) {q['question']}  \n  retrieved instead: {got}")
    wrong = [q for q in ours["questions"] if q.get("answered") is not None and q["answered"] != q["answerable"]]
    parts.append(f"### Abstention errors ({len(wrong)})")
    parts += [f"- **{q['id']}** ({'answered' if q['answered'] else 'abstained'}) {q['question']}" for q in wrong]
    return parts


def write_report(report: dict, directory: Path) -> Path:
    """Write report.json, report.md and the charts into one folder; return the folder."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    sections = set_reports(report)
    meta = report["meta"]
    side_by_side = {f"{name}: {s['systems'][0]['name']}": s["systems"][0]["summary"] for name, s in sections.items()}
    parts = [
        "# Evaluation",
        f"Split: **{meta.get('split')}** · sets: {', '.join(sections)} · index built {meta.get('built_at')} · run {meta.get('run_at')}",
        "## Side by side",
        _table(side_by_side, HEADLINE),
        "\n".join(f"- **{name}**: {meaning}" for name, meaning in EXPLAINED.items()),
    ]
    for name, section in sections.items():
        parts += _section(name, section, directory)
    (directory / "report.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return directory


def latest_report(reports_dir: Path) -> Path | None:
    """The newest report folder, if any."""
    folders = sorted(p for p in reports_dir.glob("*/report.json"))
    return folders[-1].parent if folders else None
