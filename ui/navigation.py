"""The app's pages by name, and moves between them that carry state (an open case study, a scoped chat)."""

from __future__ import annotations

import streamlit as st

from ui.state import Scope, State, start_new

CHAT = "pages/chat.py"
CASE_STUDIES = "pages/case_studies.py"
CONTENT_TEAM = "pages/content_team.py"
OPEN_CASE = "open_case"  # session key: the case study the case-studies page shows in full
OPENINGS = "case-openings"  # session key: case studies opened so far, so that each opening starts at the top
FROM_CHAT = "case-from-chat"  # session key: the open case study was reached from an answer in the chat


def open_case(state: State, case_id: str) -> None:
    """Open one case study in full on the case-studies page (counted: the page scrolls to the top once per opening)."""
    state[OPEN_CASE] = case_id
    state[OPENINGS] = state.get(OPENINGS, 0) + 1


def read_case_study(state: State, case_id: str) -> None:
    """Go to the case-studies page with one case study open, from an answer (the page offers the way back to it)."""
    open_case(state, case_id)
    state[FROM_CHAT] = True
    st.switch_page(CASE_STUDIES)


def ask_about_case_study(state: State, case_id: str, title: str) -> None:
    """Start a new conversation scoped to one case study, on the chat page."""
    start_new(state, Scope(case_id, title))
    st.switch_page(CHAT)
