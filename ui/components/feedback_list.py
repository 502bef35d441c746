"""The content team's view of feedback: the list and a CSV download, behind the admin token."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from assistant.http.schemas import FeedbackOut
from ui.client import ApiClient, NotAllowed, ServiceError
from ui.components.admin import REFUSED, accepted, refuse, token
from ui.components.feedback import RATINGS, REASONS
from ui.components.problems import show_problem

LOADED = "feedback-loaded"  # session key: (rows, csv bytes) from the last successful load
PROBLEM = "feedback-problem"  # session key: why the service could not be asked


def _frame(entries: list[FeedbackOut]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "when": e.created_at,
                # The words the user chose from, not the service's codes (`wrong_source`).
                "rating": _words(RATINGS.get(e.rating, e.rating)),
                "reason": REASONS.get(e.reason, e.reason) if e.reason else None,
                "comment": e.comment,
                "question": e.question,
                "answer": e.answer,
                "sources": ", ".join(e.passage_ids),
            }
            for e in entries
        ]
    )


def _words(label: str) -> str:
    """A rating's label without its icon (':material/thumb_up: Helpful' → 'Helpful')."""
    return label.split(": ", 1)[-1] if label.startswith(":material/") else label


def _load(client: ApiClient) -> None:
    """Button callback: fetch the feedback with the token typed; a refused token empties the field to ask again."""
    state = st.session_state
    for key in (LOADED, PROBLEM):
        state.pop(key, None)
    accepted()
    typed = token()
    try:
        state[LOADED] = (client.feedback(typed), client.feedback_csv(typed))
    except NotAllowed as exc:
        refuse(exc)
    except ServiceError as exc:
        state[PROBLEM] = str(exc)  # the service is down or slow: "Try again" repeats this with the same token


def render_feedback_list(client: ApiClient) -> None:
    """A button (with the page's admin token); then the feedback, newest first, with counts and a CSV download."""
    st.button("Show feedback", icon=":material/lock_open:", on_click=_load, args=(client,), key="show-feedback")
    if st.session_state.get(REFUSED):
        return
    if problem := st.session_state.get(PROBLEM):
        show_problem(problem, key="feedback-retry", on_retry=_load, args=(client,))
        return
    loaded = st.session_state.get(LOADED)
    if loaded is None:
        return
    entries, csv = loaded
    up = sum(e.rating == "up" for e in entries)
    st.markdown(f"**{len(entries)}** answers rated: **{up}** helpful, **{len(entries) - up}** not helpful.")
    st.download_button(
        "Download all feedback (CSV)", data=csv, file_name="feedback.csv", mime="text/csv", icon=":material/download:"
    )
    if entries:
        st.dataframe(_frame(entries), width="stretch", hide_index=True)
