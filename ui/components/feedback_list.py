"""The content team's view of feedback: the list and a CSV download, behind the admin token."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from assistant.http.schemas import FeedbackOut
from ui.client import ApiClient, NotAllowed, ServiceError
from ui.components.feedback import RATINGS, REASONS
from ui.components.problems import show_problem

LOADED = "feedback-loaded"  # session key: (rows, csv bytes) from the last successful load
TOKEN = "admin-token"  # the token field's key
REFUSED = "feedback-refused"  # session key: why the token was refused
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
    """Form callback: fetch the feedback with the token typed; a refused token empties the field to ask again."""
    state = st.session_state
    for key in (LOADED, REFUSED, PROBLEM):
        state.pop(key, None)
    token = state.get(TOKEN) or ""
    try:
        state[LOADED] = (client.feedback(token), client.feedback_csv(token))
    except NotAllowed as exc:
        # Sending the same token again can only fail: clear it, so the field asks for the right one.
        state[TOKEN] = ""
        state[REFUSED] = f"{exc} Please enter the admin token again."
    except ServiceError as exc:
        state[PROBLEM] = str(exc)  # the service is down or slow: "Try again" repeats this with the same token


def render_feedback_list(client: ApiClient) -> None:
    """Token field and button; then the feedback, newest first, with counts and a CSV download."""
    with st.form("feedback-token-form"):
        st.text_input(
            "Admin token",
            type="password",
            key=TOKEN,
            help="The token the assistant service was started with (LOCALITIES_ADMIN_TOKEN). "
            "Ask the team that runs it.",
        )
        st.form_submit_button("Show feedback", icon=":material/lock_open:", on_click=_load, args=(client,))
    if refused := st.session_state.get(REFUSED):
        st.error(refused, icon=":material/key_off:")
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
