"""The app's pages by name, and moves between them that carry state (an open case study, a scoped chat)."""

from __future__ import annotations

import streamlit as st

from ui.state import Scope, State, start_new

CHAT = "pages/chat.py"
CASE_STUDIES = "pages/case_studies.py"
CONTENT_TEAM = "pages/content_team.py"
OPEN_CASE = "open_case"  # session key: the case study the case-studies page shows in full


def read_case_study(state: State, case_id: str) -> None:
    """Go to the case-studies page with one case study open."""
    state[OPEN_CASE] = case_id
    st.switch_page(CASE_STUDIES)


def ask_about_case_study(state: State, case_id: str, title: str) -> None:
    """Start a new conversation scoped to one case study, on the chat page."""
    start_new(state, Scope(case_id, title))
    st.switch_page(CHAT)
