"""Bring the page back to its top once, when a long list gives way to something new to read (an open case study).

Streamlit keeps the scroll position when a page redraws itself: a case study opened from far down the list
was shown from its middle, with its title and "Back" button out of sight. A Streamlit custom component
(st.components.v2, no build step) scrolls the page's main area to the top when it is mounted with a new `token`.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
export default function ({ data }) {
  // Once per token: a rerun of the same view (a button pressed inside it) must not jump back to the top.
  if (window.__localitiesScrolledTo === data.token) return;
  window.__localitiesScrolledTo = data.token;
  const main = document.querySelector('[data-testid="stMain"]');
  if (main) main.scrollTo({ top: 0 });
  window.scrollTo({ top: 0 });
}
"""

_component = st.components.v2.component("localities.scroll_top", js=_SCRIPT)


def scroll_to_top(token: str) -> None:
    """Scroll to the top of the page the first time this token is drawn in this tab."""
    _component(key=f"scroll-top-{token}", data={"token": token}, height=0)
