"""Source cards: each [n] citation of an answer as a collapsed card with its passage and the quoted sentences marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from assistant.http.schemas import CitationOut
from ui.navigation import read_case_study
from ui.text import escape_markdown, highlight_html, source_label


def render_sources(citations: Sequence[CitationOut], key: str, case_id_for: Callable[[str], str | None]) -> None:
    """One expander per citation, closed until clicked; a citation from a case study links to its full text."""
    if not citations:
        return
    st.caption("Sources from the toolkit. Open one to check the words quoted in the answer:")
    for citation in citations:
        label = source_label(
            citation.n, citation.chapter, citation.quoted_section, citation.case_study, citation.quoted_page_label
        )
        with st.expander(escape_markdown(label), icon=":material/menu_book:"):
            body, missing = highlight_html(citation.text, citation.sentences, citation.passage_id)
            st.html(body)
            if missing:
                quoted = " ".join(f"“{s}”" for s in missing)
                st.caption(escape_markdown(f"Also quoted from this source: {quoted}"))
            case_id = case_id_for(citation.case_study) if citation.case_study else None
            if case_id and st.button(
                f"Read the whole case study: {citation.case_study}",
                key=f"{key}-case-{citation.n}",
                icon=":material/article:",
            ):
                read_case_study(st.session_state, case_id)
