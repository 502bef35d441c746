"""The ablation: each variant runs with its own settings, the served settings' row is what a plain evaluation gives,
and the table shows every variant's change from it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from assistant.params import RetrievalParams
from evals.ablation import ABLATIONS, SERVED, ablation_markdown, variants
from evals.cli import run_evaluation
from evals.dataset import SETS
from evals.report import set_reports

CHOSEN = ("no rerank", "no lexical list")
QUESTIONS = 12  # of the curated test split: enough for both variants to move, in a few seconds


@pytest.fixture(scope="module")
def ablated(assistant, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    lines = [line for line in SETS["curated"].read_text(encoding="utf-8").splitlines() if '"split": "test"' in line]
    subset = tmp_path_factory.mktemp("ablation") / "curated.jsonl"
    subset.write_text("\n".join(lines[:QUESTIONS]) + "\n", encoding="utf-8")
    sets = {"curated": subset}
    plain = run_evaluation(sets, "test", None, False, assistant=assistant, conversation=False)
    report = run_evaluation(sets, "test", None, False, assistant=assistant, conversation=False, variants=variants(RetrievalParams(), CHOSEN))
    return plain, report


def _systems(report: dict) -> list[dict]:
    return list(set_reports(report)["curated"]["systems"])


def test_the_served_row_is_a_plain_evaluation(ablated) -> None:  # type: ignore[no-untyped-def]
    plain, report = ablated
    assert [s["name"] for s in _systems(report)] == ["ours", *CHOSEN]
    assert len(_systems(report)[0]["questions"]) == QUESTIONS

    def scores(report: dict) -> dict[str, float]:  # timings differ from run to run; every score must not
        return {k: v for k, v in _systems(report)[0]["summary"].items() if "_ms_" not in k}

    assert scores(report) == scores(plain)


def test_each_variant_searches_with_its_own_settings(ablated) -> None:  # type: ignore[no-untyped-def]
    _, report = ablated
    served, *others = _systems(report)
    ranked = {q["id"]: [r["id"] for r in q["retrieved"]] for q in served["questions"]}
    for variant in others:
        changed = [q["id"] for q in variant["questions"] if [r["id"] for r in q["retrieved"]] != ranked[q["id"]]]
        assert changed, f"{variant['name']} retrieved exactly what the served settings did"


def test_the_table_gives_each_variants_value_and_change(ablated) -> None:  # type: ignore[no-untyped-def]
    _, report = ablated
    table = ablation_markdown(report)
    served, *others = _systems(report)
    assert f"| {SERVED} | {served['summary']['found@5']:.3f} |" in table
    for variant in others:
        value, change = variant["summary"]["mrr@10"], variant["summary"]["mrr@10"] - served["summary"]["mrr@10"]
        expected = f"{value:.3f}" if abs(change) < 0.0005 else f"{value:.3f} ({change:+.3f})"
        row = next(line for line in table.splitlines() if line.startswith(f"| {variant['name']} |"))
        assert expected in row
    for ablation in ABLATIONS:
        assert f"**{ablation.name}**: {ablation.what}" in table


def test_every_variant_changes_a_real_setting() -> None:
    base = RetrievalParams()
    for name, params in variants(base).items():
        assert params != base, name


def test_an_unknown_variant_is_refused_with_the_known_ones() -> None:
    from localities.cli import app

    result = CliRunner().invoke(app, ["eval-ablate", "--only", "no such signal"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())  # the console wraps the list of known variants at its width
    assert "Unknown ablation no such signal" in said and "no rerank" in said
