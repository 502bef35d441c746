"""Thumbs up or down on an answer, with an optional reason and comment, sent to the service's /feedback."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from assistant.http.schemas import FeedbackIn
from ui.client import ApiClient, ServiceError
from ui.state import Message

# Material icons ship with Streamlit; emoji need a font the machine may lack (headless Debian Chromium has none).
RATINGS = {"up": ":material/thumb_up: Helpful", "down": ":material/thumb_down: Not helpful"}
# The service's reason codes, in the words a user would choose.
REASONS = {
    "wrong_source": "It used the wrong source",
    "did_not_answer": "It didn't answer my question",
    "hard_to_understand": "It was hard to understand",
    "other": "Something else",
}


def _send(client: ApiClient, message: Message, key: str) -> None:
    state = st.session_state
    response = message.response
    try:
        feedback = FeedbackIn(
            question=message.question or "",
            answer=message.content,
            rating=state[f"{key}-rating"],
            reason=state.get(f"{key}-reason") if state[f"{key}-rating"] == "down" else None,
            comment=(state.get(f"{key}-comment") or "").strip() or None,
            passage_ids=[c.passage_id for c in response.citations] if response else [],
        )
        client.send_feedback(feedback)
    except (ServiceError, ValidationError) as exc:
        state[f"{key}-problem"] = f"Your feedback wasn't sent. {exc}" if isinstance(exc, ServiceError) else str(exc)
        return
    state.pop(f"{key}-problem", None)
    message.feedback_sent = True


def render_feedback(client: ApiClient, message: Message, key: str) -> None:
    """The rating control; once rated, a short form for the reason and a comment, then a thank-you."""
    if message.feedback_sent:
        st.caption("Thank you, your feedback was sent to the content team.")
        return
    rating = st.segmented_control(
        "Was this answer helpful?", options=list(RATINGS), format_func=RATINGS.__getitem__, key=f"{key}-rating"
    )
    if rating is None:
        return
    with st.form(key=f"{key}-form"):
        if rating == "down":
            st.selectbox(
                "What was wrong? (optional)",
                options=list(REASONS),
                index=None,
                format_func=REASONS.__getitem__,
                placeholder="Choose a reason",
                key=f"{key}-reason",
            )
        st.text_area("Anything you'd like to add? (optional)", max_chars=2_000, key=f"{key}-comment")
        st.form_submit_button("Send feedback", on_click=_send, args=(client, message, key))
    problem = st.session_state.get(f"{key}-problem")
    if problem:
        st.error(problem, icon=":material/error:")
