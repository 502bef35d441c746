"""The content team's view of feedback: the list and a CSV download, behind the admin token."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from assistant.http.schemas import FeedbackOut
from ui.client import ApiClient, ServiceError
from ui.components.problems import show_problem

LOADED = "feedback-loaded"  # session key: (rows, csv bytes) from the last successful load


def _frame(entries: list[FeedbackOut]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "when": e.created_at,
                "rating": e.rating,
                "reason": e.reason,
                "comment": e.comment,
                "question": e.question,
                "answer": e.answer,
                "sources": ", ".join(e.passage_ids),
            }
            for e in entries
        ]
    )


def render_feedback_list(client: ApiClient) -> None:
    """Token field and button; then the feedback, newest first, with counts and a CSV download."""
    with st.form("feedback-token-form"):
        token = st.text_input(
            "Admin token",
            type="password",
            key="admin-token",
            help="The token the assistant service was started with (LOCALITIES_ADMIN_TOKEN). "
            "Ask the team that runs it.",
        )
        submitted = st.form_submit_button("Show feedback", icon=":material/lock_open:")
    if submitted:
        try:
            st.session_state[LOADED] = (client.feedback(token), client.feedback_csv(token))
        except ServiceError as exc:
            st.session_state.pop(LOADED, None)
            show_problem(exc, key="feedback-retry")
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
