"""Search tester: a query sent to POST /search, and the ranked passages with their scores and places."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from assistant.http.schemas import PassageOut
from ui.client import ApiClient, ServiceError
from ui.components.problems import show_problem
from ui.text import escape_markdown, place, shorten

RESULTS = "search-results"  # session key: the last results, kept while other controls rerun the page
ANY = "Any chapter"


def _rows(passages: list[PassageOut]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rank": rank,
                "score": round(p.score, 4),
                "chapter": p.chapter,
                "section": p.section,
                "case study": p.case_study,
                "page": p.page,
                "passage id": p.id,
                "text": shorten(p.text, 140),
            }
            for rank, p in enumerate(passages, start=1)
        ]
    ).set_index("rank")


def render_search_tester(client: ApiClient, chapters: list[str]) -> None:
    """A form (query, how many, chapter) and the ranked passages from the service's /search."""
    with st.form("search-form"):
        query = st.text_input("Search query", key="search-query", placeholder="e.g. shared chief executive savings")
        k = st.slider("How many passages", min_value=1, max_value=20, value=5, key="search-k")
        chapter = st.selectbox("Chapter", [ANY, *chapters], key="search-chapter")
        submitted = st.form_submit_button("Search", icon=":material/search:")
    if submitted:
        if not (query or "").strip():
            st.warning("Type something to search for.")
            return
        try:
            st.session_state[RESULTS] = client.search(query, k, None if chapter == ANY else chapter).passages
        except ServiceError as exc:
            show_problem(exc, key="search-retry")
            return
    passages: list[PassageOut] | None = st.session_state.get(RESULTS)
    if passages is None:
        return
    if not passages:
        st.info("No passages matched.")
        return
    st.dataframe(_rows(passages), width="stretch")
    for rank, p in enumerate(passages, start=1):
        with st.expander(
            escape_markdown(f"{rank}. {place(p.chapter, p.section)}, {p.page_label} (score {p.score:.3f})")
        ):
            st.caption(escape_markdown(f"Case study: {p.case_study or 'none'} · passage id {p.id}"))
            st.markdown(escape_markdown(p.text))
