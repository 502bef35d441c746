"""The latest evaluation report as tables and bar charts, or how to produce one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from ui.evaluation import CHART_METRICS, abstention_errors, by_group, misses, overall, sections

NO_REPORT = (
    "No evaluation has been run yet, so there is nothing to show. "
    "Run `localities eval` on the machine that serves the assistant, then reload this page."
)


def _table(rows: list[dict[str, Any]], index: str) -> pd.DataFrame:
    return pd.DataFrame(rows).set_index(index)


def _grouped(report: dict[str, Any], group: str, heading: str) -> None:
    st.subheader(heading)
    frame = _table(by_group(report, group), group.removeprefix("by_"))
    st.bar_chart(frame[[m for m in CHART_METRICS if m in frame]], stack=False, y_label="share of questions", height=280)
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
        f"Latest run **{folder.name}**: {meta.get('questions', '?')} questions "
        f"of the **{chosen}** set ({meta.get('split', '?')} split), "
        f"index built {meta.get('built_at', 'at an unknown time')}."
    )
    st.caption(
        "found@5: share of questions whose answer is in the first 5 passages found (every part, for a two-part question). "
        "recall@5: share of all the passages that answer it found in the first 5."
    )
    st.subheader("Overall")
    st.dataframe(_table(overall(report), "system"), width="stretch")
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
