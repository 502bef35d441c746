"""Localities Assistant in the browser: `localities ui` runs this with Streamlit (multipage, via st.navigation)."""

from __future__ import annotations

import logging

import streamlit as st

from ui.navigation import CASE_STUDIES, CHAT, CONTENT_TEAM

logger = logging.getLogger("ui")
CONTENT_TEAM_TITLE = "Content team"

page = st.navigation(
    [
        st.Page(CHAT, title="Ask the toolkit", icon=":material/forum:", default=True),
        st.Page(CASE_STUDIES, title="Case studies", icon=":material/library_books:"),
        st.Page(CONTENT_TEAM, title=CONTENT_TEAM_TITLE, icon=":material/monitoring:"),
    ]
)
# Decided here, on every run, from the page about to run: set inside the content team page it was undone by the
# next run (a search) and the tables were cut off. Tables of metrics need the width; the chat reads better narrow.
st.set_page_config(
    page_title="Localities Assistant",
    page_icon=":material/forum:",
    layout="wide" if page.title == CONTENT_TEAM_TITLE else "centered",
)
try:
    page.run()
except Exception:  # the pages turn service errors into messages; this is for anything they did not foresee
    logger.exception("page %s failed", page.title)
    st.error("Sorry, something went wrong on this page. Please reload it; if it keeps happening, let the team know.")
