"""Localities Assistant in the browser: `localities ui` runs this with Streamlit (multipage, via st.navigation)."""

from __future__ import annotations

import logging

import streamlit as st

from ui.navigation import CASE_STUDIES, CHAT, CONTENT_TEAM

logger = logging.getLogger("ui")
# The page's address (Streamlit derives it from pages/content_team.py). Compared by address, not title: a page
# opened straight from its URL can come back under its file name ("content team").
CONTENT_TEAM_PATH = "content_team"
MENU_LABEL_CSS = (
    "[data-testid='stExpandSidebarButton']{width:auto;gap:.3rem;padding-right:.6rem}"
    "[data-testid='stExpandSidebarButton']::after{content:'Menu';font-size:1rem;line-height:1}"
)

page = st.navigation(
    [
        st.Page(CHAT, title="Ask the toolkit", icon=":material/forum:", default=True),
        st.Page(CASE_STUDIES, title="Case studies", icon=":material/library_books:"),
        st.Page(CONTENT_TEAM, title="Content team", icon=":material/monitoring:"),
    ]
)
# Decided here, on every run, from the page about to run: set inside the content team page it was undone by the
# next run (a search) and the tables were cut off. Tables of metrics need the width; the chat reads better narrow.
st.set_page_config(
    page_title="Localities Assistant",
    page_icon=":material/forum:",
    layout="wide" if page.url_path == CONTENT_TEAM_PATH else "centered",
)
# On a phone Streamlit folds the page list into a bare "»" button (its name, "Expand sidebar", is only for screen
# readers); a visible word says what is behind it. Style-only st.html adds no element to the page.
st.html(f"<style>{MENU_LABEL_CSS}</style>")
try:
    page.run()
except Exception:  # the pages turn service errors into messages; this is for anything they did not foresee
    logger.exception("page %s failed", page.title)
    st.error("Sorry, something went wrong on this page. Please reload it; if it keeps happening, let the team know.")
