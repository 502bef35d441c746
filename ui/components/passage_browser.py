"""Passage browser: the toolkit's passages in reading order, one chapter or case study at a time."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiClient, ServiceError
from ui.components.problems import show_problem
from ui.services import case_studies, passages
from ui.text import escape_markdown, place, shorten

WHOLE_CHAPTER = "The whole chapter"


def render_passage_browser(client: ApiClient, chapters: list[str]) -> None:
    """Choose a chapter and, optionally, one of its case studies; read its passages in order."""
    if not chapters:
        return
    chapter = st.selectbox("Chapter", chapters, key="browse-chapter")
    try:
        studies = [s for s in case_studies(client) if s.chapter == chapter]
        titles = {s.id: s.title for s in studies}
        case_id = st.selectbox(
            "Case study", [WHOLE_CHAPTER, *titles], format_func=lambda i: titles.get(i, i), key="browse-case"
        )
        shown = passages(client, chapter, None if case_id == WHOLE_CHAPTER else case_id)
    except ServiceError as exc:
        show_problem(exc, key="browse-retry")
        return
    st.caption(f"{len(shown)} passages, in the toolkit's order.")
    for p in shown:
        title = f"{p.page_label} · {place('', p.section) or 'no section'} — {shorten(p.text, 70)}"
        with st.expander(escape_markdown(title)):
            st.caption(
                escape_markdown(f"{place(p.chapter, p.section)} · case study: {p.case_study or 'none'} · id {p.id}")
            )
            st.markdown(escape_markdown(p.text))
