"""Write an evaluation report: JSON for machines, Markdown with charts for the content team."""

from __future__ import annotations

import json
from pathlib import Path

HEADLINE = ("hit_rate@5", "recall@5", "mrr@10", "ndcg@10", "evidence_coverage@5", "answer_fact_recall", "citation_support", "abstention_accuracy", "search_ms_p50", "ask_ms_p50")


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else (f"{value:.1f}" if isinstance(value, float) else str(value))


def _table(rows: dict[str, dict[str, float]], columns: tuple[str, ...]) -> str:
    present = [c for c in columns if any(c in r for r in rows.values())]
    lines = ["| | " + " | ".join(present) + " |", "|---|" + "---|" * len(present)]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(row.get(c, "–")) for c in present) + " |")
    return "\n".join(lines)


def _chart(report: dict, path: Path, group: str, metric: str = "hit_rate@5") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = report["systems"]
    groups = sorted({g for s in systems for g in s[group] if metric in s[group][g]})
    if not groups:
        return
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


def write_report(report: dict, directory: Path) -> Path:
    """Write report.json, report.md and the charts into one folder; return the folder."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    _chart(report, directory / "by_kind.png", "by_kind")
    _chart(report, directory / "by_persona.png", "by_persona")
    systems = report["systems"]
    meta = report["meta"]
    parts = [
        "# Retrieval evaluation",
        f"Split: **{meta.get('split')}** · questions: {meta.get('questions')} · index built {meta.get('built_at')} · run {meta.get('run_at')}",
        "## Overall",
        _table({s["name"]: s["summary"] for s in systems}, HEADLINE),
        "Hit@5: the passage holding the answer is in the top 5. Recall@k (ranx): share of all relevant passages in the top k.",
        "## By kind of question (hit@5)",
        "![by kind](by_kind.png)",
    ]
    ours = systems[0]
    parts += [_table(ours["by_kind"], HEADLINE), "## By persona", "![by persona](by_persona.png)", _table(ours["by_persona"], HEADLINE)]
    misses = [q for q in ours["questions"] if q["answerable"] and q["scores"].get("hit_rate@5", 0) == 0]
    parts.append(f"## Misses of {ours['name']} ({len(misses)}): answer not in the top 5")
    for q in misses:
        got = "; ".join(f"{r.get('case_study') or '—'}: {str(r['text'])[:90]}…" for r in q["retrieved"][:3])
        parts.append(f"- **{q['id']}** ({q['kind']}, {q['persona']}) {q['question']}  \n  retrieved instead: {got}")
    wrong = [q for q in ours["questions"] if q.get("answered") is not None and q["answered"] != q["answerable"]]
    parts.append(f"## Abstention errors ({len(wrong)})")
    parts += [f"- **{q['id']}** ({'answered' if q['answered'] else 'abstained'}) {q['question']}" for q in wrong]
    (directory / "report.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return directory


def latest_report(reports_dir: Path) -> Path | None:
    """The newest report folder, if any."""
    folders = sorted(p for p in reports_dir.glob("*/report.json"))
    return folders[-1].parent if folders else None
