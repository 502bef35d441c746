"""The latest evaluation report as tables and bar charts, or how to produce one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from ui.evaluation import CHART_METRICS, abstention_errors, by_group, meanings, misses, overall, sections

NO_REPORT = (
    "No evaluation has been run yet, so there is nothing to show. Run one above with the admin token, "
    "or run `localities eval` on the machine that serves the assistant and reload this page."
)


def _table(rows: list[dict[str, Any]], index: str) -> pd.DataFrame:
    return pd.DataFrame(rows).set_index(index)


def bar_chart(frame: pd.DataFrame, group: str) -> alt.Chart:
    """Grouped bars of the chart metrics per group, with no zoom or pan.

    st.bar_chart makes every chart interactive, so a wheel over it zoomed the chart instead of scrolling the page.
    """
    measures = [m for m in CHART_METRICS if m in frame]
    long = frame[measures].reset_index().melt(id_vars=group, var_name="measure", value_name="share")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(f"{group}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("measure:N"),
            y=alt.Y("share:Q", title="share of questions", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip("measure:N"), alt.Tooltip("share:Q", format=".2f")],
        )
        .properties(height=280)
    )


def _explained(columns: list[str]) -> None:
    """One line per score in the table: what it measures."""
    lines = [f"- **{name}**: {meaning}" for name, meaning in meanings(columns)]
    if lines:
        st.markdown("\n".join(lines))


def _grouped(report: dict[str, Any], group: str, heading: str) -> None:
    st.subheader(heading)
    name = group.removeprefix("by_")
    frame = _table(by_group(report, group), name)
    st.altair_chart(bar_chart(frame, name), width="stretch")
    st.dataframe(frame, width="stretch")


def render_report(found: tuple[Path, dict[str, Any]] | None) -> None:
    """Headline metrics per system, hit rate and recall by question kind and persona, the misses, abstention errors."""
    if found is None:
        st.info(NO_REPORT, icon=":material/info:")
        return
    folder, whole = found
    sets = sections(whole)
    # The blind set (written without seeing the passages) is the honest measure, so it is shown first.
    names = sorted(sets, key=lambda name: name != "blind")
    chosen = st.radio("Question set", names, horizontal=True, key="eval-set") if len(names) > 1 else names[0]
    report = sets[chosen or names[0]]
    meta = report.get("meta", {})
    st.markdown(
        f"Latest run **{folder.name}**, ran {meta.get('run_at') or 'at an unknown time'}: "
        f"{meta.get('questions', '?')} questions of the **{chosen}** set ({meta.get('split', '?')} split), "
        f"on the index built {meta.get('built_at') or 'at an unknown time'}."
    )
    st.subheader("Overall")
    table = _table(overall(report), "system")
    st.dataframe(table, width="stretch")
    st.markdown("What each score means (all are shares from 0 to 1 unless they say ms; higher is better unless noted):")
    _explained([*table.columns, "questions"])
    _grouped(report, "by_kind", "By kind of question")
    _grouped(report, "by_persona", "By persona")
    missed = misses(report)
    st.subheader(f"Misses ({len(missed)}): the answer was not in the first 5 passages")
    if missed:
        st.dataframe(pd.DataFrame(missed), width="stretch", hide_index=True)
    wrong = abstention_errors(report)
    st.subheader(f"Abstention errors ({len(wrong)})")
    if wrong:
        st.dataframe(pd.DataFrame(wrong), width="stretch", hide_index=True)
