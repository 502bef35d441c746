"""Localities Assistant in the browser: `localities ui` runs this with Streamlit (multipage, via st.navigation)."""

from __future__ import annotations

import logging

import streamlit as st

from ui.navigation import CASE_STUDIES, CHAT, CONTENT_TEAM

logger = logging.getLogger("ui")

st.set_page_config(page_title="Localities Assistant", page_icon=":material/forum:", layout="centered")

page = st.navigation(
    [
        st.Page(CHAT, title="Ask the toolkit", icon=":material/forum:", default=True),
        st.Page(CASE_STUDIES, title="Case studies", icon=":material/library_books:"),
        st.Page(CONTENT_TEAM, title="Content team", icon=":material/monitoring:"),
    ]
)
try:
    page.run()
except Exception:  # the pages turn service errors into messages; this is for anything they did not foresee
    logger.exception("page %s failed", page.title)
    st.error("Sorry, something went wrong on this page. Please reload it; if it keeps happening, let the team know.")
