"""The CI gate: our retrieval on the held-out test split may not fall below the committed thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import run_evaluation
from evals.compare import compare
from evals.dataset import DEFAULT_SET
from evals.report import write_report

THRESHOLDS = json.loads((Path(__file__).resolve().parents[2] / "evals" / "thresholds.json").read_text())


@pytest.fixture(scope="module")
def test_report(assistant, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # type: ignore[no-untyped-def]
    report = run_evaluation(DEFAULT_SET, THRESHOLDS["split"], url=None, baselines=True, assistant=assistant)
    folder = write_report(report, tmp_path_factory.mktemp("reports") / "run")
    return report, folder


def _summary(report: dict, name: str) -> dict[str, float]:
    return next(s["summary"] for s in report["systems"] if s["name"] == name)


@pytest.mark.parametrize("metric", ["recall@5", "mrr@10", "hit_rate@5", "abstention_accuracy"])
def test_ours_meets_the_committed_threshold(test_report, metric: str) -> None:  # type: ignore[no-untyped-def]
    report, _ = test_report
    assert _summary(report, "ours")[metric] >= THRESHOLDS[metric]


def test_ours_beats_every_baseline(test_report) -> None:  # type: ignore[no-untyped-def]
    report, _ = test_report
    ours = _summary(report, "ours")
    for baseline in ("bm25 only", "dense only", "langchain"):
        assert ours["recall@5"] > _summary(report, baseline)["recall@5"], baseline
        assert ours["mrr@10"] > _summary(report, baseline)["mrr@10"], baseline


def test_report_has_breakdowns_charts_and_misses(test_report) -> None:  # type: ignore[no-untyped-def]
    report, folder = test_report
    ours = report["systems"][0]
    assert {"fact", "case_study", "paraphrase", "follow_up", "misspelled", "out_of_scope"} <= set(ours["by_kind"])
    assert {"councillor", "officer", "content_team"} <= set(ours["by_persona"])
    for key in ("answer_fact_recall", "citation_support", "evidence_coverage@5", "search_ms_p50", "ask_ms_p95", "ndcg@10", "recall@1", "recall@10"):
        assert key in ours["summary"], key
    for name in ("report.json", "report.md", "by_kind.png", "by_persona.png"):
        assert (folder / name).stat().st_size > 0
    markdown = (folder / "report.md").read_text()
    assert "## Misses" in markdown and "langchain" in markdown


def test_compare_two_reports_lists_better_and_worse(test_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report, folder = test_report
    changed = json.loads(json.dumps(report))
    questions = [q for q in changed["systems"][0]["questions"] if q["answerable"]]
    questions[0]["first_relevant_rank"], questions[1]["first_relevant_rank"] = None, 1
    later = write_report(changed, tmp_path / "later")
    better, worse = compare(folder, later)
    moved = {c.id for c in better + worse}
    expected = {q["id"] for q, old in zip(questions[:2], [q2 for q2 in report["systems"][0]["questions"] if q2["answerable"]][:2]) if q["first_relevant_rank"] != old["first_relevant_rank"]}
    assert moved == expected


def test_eval_command_writes_a_report(built_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import get_settings
    from localities.cli import app

    monkeypatch.setenv("LOCALITIES_INDEX_DIR", str(built_index))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["eval", "--split", "dev", "--no-baselines", "--out", str(tmp_path)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    reports = list(tmp_path.glob("*/report.md"))
    assert len(reports) == 1 and "hit_rate@5" in reports[0].read_text()
