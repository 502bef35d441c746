"""The CI gate: on the held-out test split of both sets, ours may not fall below the committed thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import run_evaluation
from evals.compare import compare
from evals.dataset import SETS
from evals.report import set_reports, write_report

THRESHOLDS = json.loads((Path(__file__).resolve().parents[2] / "evals" / "thresholds.json").read_text())
GATED = [(name, metric) for name, gate in THRESHOLDS["sets"].items() for metric in gate["at_least"]]
CAPPED = [(name, metric) for name, gate in THRESHOLDS["sets"].items() for metric in gate.get("at_most", {})]


@pytest.fixture(scope="module")
def test_report(assistant, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # type: ignore[no-untyped-def]
    # The LangChain baseline is left to `localities eval` and `make bench`: it embeds the toolkit again with torch,
    # over a minute of CI, and trails far behind (blind test found@5 0.41 against ours 0.66). The two single-
    # retriever baselines are the close ones, and the gate holds ours above them.
    report = run_evaluation(SETS, THRESHOLDS["split"], url=None, baselines=True, assistant=assistant, langchain=False)
    folder = write_report(report, tmp_path_factory.mktemp("reports") / "run")
    return report, folder


def _summary(report: dict, question_set: str, name: str) -> dict[str, float]:
    return next(s["summary"] for s in set_reports(report)[question_set]["systems"] if s["name"] == name)


@pytest.mark.parametrize(("question_set", "metric"), GATED)
def test_ours_meets_the_committed_threshold(test_report, question_set: str, metric: str) -> None:  # type: ignore[no-untyped-def]
    report, _ = test_report
    assert _summary(report, question_set, "ours")[metric] >= THRESHOLDS["sets"][question_set]["at_least"][metric]


@pytest.mark.parametrize(("question_set", "metric"), CAPPED)
def test_ours_stays_under_the_committed_ceiling(test_report, question_set: str, metric: str) -> None:  # type: ignore[no-untyped-def]
    report, _ = test_report
    assert _summary(report, question_set, "ours")[metric] <= THRESHOLDS["sets"][question_set]["at_most"][metric]


@pytest.mark.parametrize("question_set", sorted(THRESHOLDS["beats_every_baseline"]))
def test_ours_beats_every_baseline(test_report, question_set: str) -> None:  # type: ignore[no-untyped-def]
    report, _ = test_report
    ours = _summary(report, question_set, "ours")
    for baseline in ("bm25 only", "dense only"):
        for metric in THRESHOLDS["beats_every_baseline"][question_set]:
            assert ours[metric] > _summary(report, question_set, baseline)[metric], (baseline, metric)


def test_report_has_both_sets_breakdowns_charts_and_misses(test_report) -> None:  # type: ignore[no-untyped-def]
    report, folder = test_report
    sections = set_reports(report)
    assert set(sections) == {"curated", "blind"}
    for name, section in sections.items():
        ours = section["systems"][0]
        assert {"fact", "case_study", "paraphrase", "follow_up", "misspelled", "out_of_scope"} <= set(ours["by_kind"])
        assert {"councillor", "officer", "content_team"} <= set(ours["by_persona"])
        for key in (
            "found@5", "answer_fact_recall", "cited_evidence", "marker_grounding", "oos_not_answered",
            "false_refusal", "found@5_alone", "found@5_after_turn", "evidence_coverage@5", "search_ms_p50",
            "ask_ms_p95", "ndcg@10", "recall@1", "recall@10",
        ):
            assert key in ours["summary"], (name, key)
        assert "found@5_replayed" in ours["by_kind"]["follow_up"] and "answer_fact_recall_replayed" in ours["summary"]
        for baseline in section["systems"][1:]:
            assert "found@5" in baseline["summary"] and "found@5_after_turn" in baseline["summary"]
            assert "found@5_replayed" not in baseline["summary"]  # no answers to replay
        for chart in (f"by_kind_{name}.png", f"by_persona_{name}.png"):
            assert (folder / chart).stat().st_size > 0
    assert {"compound", "topic_change"} <= set(sections["blind"]["systems"][0]["by_kind"])
    assert "near_miss_not_answered" in sections["blind"]["systems"][0]["summary"]
    markdown = (folder / "report.md").read_text()
    assert "## Side by side" in markdown and "## The blind set" in markdown and "### Misses" in markdown
    assert "dense only" in markdown and "bm25 only" in markdown


def test_compare_two_reports_lists_better_and_worse(test_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report, folder = test_report
    changed = json.loads(json.dumps(report))
    questions = [q for q in set_reports(changed)["blind"]["systems"][0]["questions"] if q["answerable"]]
    before = {q["id"]: q["first_relevant_rank"] for q in questions}
    questions[0]["first_relevant_rank"], questions[1]["first_relevant_rank"] = None, 1
    later = write_report(changed, tmp_path / "later")
    better, worse = compare(folder, later)
    moved = {(c.set, c.id) for c in better + worse}
    expected = {("blind", q["id"]) for q in questions[:2] if q["first_relevant_rank"] != before[q["id"]]}
    assert moved == expected


def test_eval_command_writes_a_report(built_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import get_settings
    from localities.cli import app

    monkeypatch.setenv("LOCALITIES_INDEX_DIR", str(built_index))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["eval", "--set", "curated", "--split", "dev", "--no-baselines", "--no-conversation", "--out", str(tmp_path)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    reports = list(tmp_path.glob("*/report.md"))
    assert len(reports) == 1 and "found@5" in reports[0].read_text()


def test_eval_command_refuses_an_unknown_set_with_a_clear_message(built_index: Path, tmp_path: Path) -> None:
    from localities.cli import app

    result = CliRunner().invoke(app, ["eval", "--set", "bogus", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--set must be curated, blind, all" in result.output
    assert not list(tmp_path.iterdir())
