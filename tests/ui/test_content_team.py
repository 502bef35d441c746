"""The content team page under AppTest: the evaluation report, the search tester and the passage browser."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from core.models import BACK_MATTER
from evals.cli import run_evaluation
from evals.dataset import SETS
from evals.report import write_report
from tests.ui.conftest import AppFactory
from ui.evaluation import load_latest, misses, sections
from ui.evaluation import reports_dir as configured_reports_dir

PAGE = "pages/content_team.py"


@pytest.fixture(scope="module")
def reports_dir(api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real evaluation reports (ours over HTTP, three test-split questions of each kind), newest last."""
    folder = tmp_path_factory.mktemp("reports")
    # A few of each kind keeps this to seconds; the full run is the eval gate's job (tests/evals).
    subsets = {}
    for name, path in SETS.items():
        taken: dict[str, int] = {}
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if row and row["split"] == "test" and taken.get(row["kind"], 0) < 3:
                taken[row["kind"]] = taken.get(row["kind"], 0) + 1
                lines.append(line)
        subsets[name] = folder / f"{name}.jsonl"
        subsets[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_evaluation(subsets, "test", url=api_url, baselines=False)
    stale = json.loads(json.dumps(report))
    stale["meta"]["questions"] = 1
    (folder / "20000101-000000").mkdir()
    (folder / "20000101-000000" / "report.json").write_text(json.dumps(stale), encoding="utf-8")
    write_report(report, folder / "20991231-235959")
    return folder


def _report_page(reports_dir: str) -> None:
    """The content team's report component, reading the given folder (what the page does with evals/reports)."""
    from pathlib import Path

    from ui.components.eval_report import render_report
    from ui.evaluation import load_latest

    render_report(load_latest(Path(reports_dir)))


def test_the_newest_evaluation_is_shown_as_tables_and_charts(reports_dir: Path) -> None:
    found = load_latest(reports_dir)
    assert found is not None and found[0].name == "20991231-235959"
    report = sections(found[1])["blind"]  # shown first: the honest measure
    app = AppTest.from_function(_report_page, args=(str(reports_dir),)).run()
    assert not app.exception
    assert "20991231-235959" in " ".join(m.value for m in app.markdown)
    headings = [s.value for s in app.subheader]
    assert {"Overall", "By kind of question", "By persona"} <= set(headings)
    assert f"Misses ({len(misses(report))}): the answer was not in the first 5 passages" in headings
    charts = app.get("vega_lite_chart")
    assert len(charts) == 2  # hit rate and recall, by kind and by persona
    for chart in charts:  # no zoom or pan bound to the wheel, so scrolling over a chart scrolls the page
        spec = json.loads(chart.proto.spec)
        assert "params" not in spec and "selection" not in json.dumps(spec)
    overall = app.dataframe[0].value
    # Every score shown is explained, one line each.
    explained = "\n".join(m.value for m in app.markdown)
    for column in [*overall.columns, *app.dataframe[1].value.columns]:
        assert f"- **{column}**: " in explained, column
    assert "no description" not in explained
    ours = report["systems"][0]
    assert list(overall.index) == [ours["name"]]
    assert overall.loc[ours["name"], "found@5"] == ours["summary"]["found@5"]
    by_kind = app.dataframe[1].value
    assert set(by_kind.index) == set(report["systems"][0]["by_kind"])
    assert by_kind.loc["fact", "recall@5"] == report["systems"][0]["by_kind"]["fact"]["recall@5"]
    tables = [d.value for d in app.dataframe if "retrieved instead" in d.value.columns]
    expected_misses = [m["id"] for m in misses(report)]
    assert [t["id"].tolist() for t in tables] == ([expected_misses] if expected_misses else [])
    assert all((t["retrieved instead"].str.len() > 0).all() for t in tables)


def test_the_blind_set_is_shown_first_and_the_curated_one_a_click_away(reports_dir: Path) -> None:
    found = load_latest(reports_dir)
    assert found is not None
    app = AppTest.from_function(_report_page, args=(str(reports_dir),)).run()
    choice = app.radio(key="eval-set")
    assert choice.options == ["blind", "curated"] and choice.value == "blind"
    assert "of the **blind** set" in " ".join(m.value for m in app.markdown)
    choice.set_value("curated").run()
    assert not app.exception
    curated = sections(found[1])["curated"]["systems"][0]
    assert app.dataframe[0].value.loc[curated["name"], "found@5"] == curated["summary"]["found@5"]
    assert "of the **curated** set" in " ".join(m.value for m in app.markdown)


def test_without_a_report_it_says_which_command_makes_one(tmp_path: Path) -> None:
    app = AppTest.from_function(_report_page, args=(str(tmp_path),)).run()
    assert not app.exception
    assert "localities eval" in app.info[0].value


def test_the_page_shows_the_checkouts_latest_report_or_how_to_make_one(make_app: AppFactory) -> None:
    app = make_app(PAGE)
    found = load_latest(configured_reports_dir())  # evals/reports is not committed: a fresh checkout has none
    if found is None:
        assert "localities eval" in app.info[0].value
    else:
        assert found[0].name in " ".join(m.value for m in app.markdown)
        assert len(app.get("vega_lite_chart")) == 2


def test_the_search_tester_lists_ranked_passages_with_scores(make_app: AppFactory, api_url: str) -> None:
    app = make_app(PAGE)
    app.text_input(key="search-query").input("shared chief executive")
    app.slider(key="search-k").set_value(7)
    next(b for b in app.button if b.label == "Search").click().run()
    assert not app.exception
    expected = httpx.post(f"{api_url}/search", json={"query": "shared chief executive", "k": 7}).json()["passages"]
    table = app.dataframe[-1].value
    assert table["passage id"].tolist() == [p["id"] for p in expected]
    assert table["score"].tolist() == [round(p["score"], 4) for p in expected]
    assert table["score"].is_monotonic_decreasing


def test_the_passage_browser_reads_a_chapter_and_a_case_study(make_app: AppFactory, api_url: str) -> None:
    app = make_app(PAGE)
    chapters = app.selectbox(key="browse-chapter").options
    # The toolkit's order: its foreword, six chapters, its back cover.
    assert chapters[0] == "Foreword and executive summary" and chapters[-1] == BACK_MATTER and len(chapters) == 8
    chapter = "Collaborating for resilience and impact"
    app.selectbox(key="browse-chapter").select(chapter).run()
    whole = httpx.get(f"{api_url}/passages", params={"chapter": chapter}).json()
    assert f"{len(whole)} passages, in the toolkit's order." in [c.value for c in app.caption]
    app.selectbox(key="browse-case").select("publica-group").run()
    one = httpx.get(f"{api_url}/passages", params={"case_study": "publica-group"}).json()
    assert f"{len(one)} passages, in the toolkit's order." in [c.value for c in app.caption]
    shown = " ".join(m.value.replace("\\", "") for m in app.markdown)
    assert all(p["text"] in shown for p in one)
