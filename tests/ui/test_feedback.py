"""Feedback end to end under AppTest: rated on the chat page, stored by the real service, listed for the team."""

from __future__ import annotations

import uuid

import httpx
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import ADMIN_TOKEN, AppFactory
from tests.ui.reading import answers, button_labels

CONTENT_TEAM = "pages/content_team.py"


def _rate(app: AppTest, rating: str, reason: str | None, comment: str) -> None:
    """Rate the latest answer through its controls and send the form."""
    index = len(app.session_state["conversation"].messages) - 1
    key = f"c{app.session_state['conversation'].id}-m{index}"
    app.segmented_control(key=f"{key}-rating").set_value(rating).run()
    if reason:
        app.selectbox(key=f"{key}-reason").select(reason)  # form values go with the submit, not before
    app.text_area(key=f"{key}-comment").input(comment)
    next(b for b in answers(app)[-1].button if b.label == "Send feedback").click().run()
    assert not app.exception, app.exception


def test_thumbs_down_with_reason_and_comment_is_stored_and_listed(make_app: AppFactory, api_url: str) -> None:
    app = make_app()
    app.button(key="starter-0").click().run()
    response = app.session_state["conversation"].messages[-1].response
    comment = f"The second source is about something else ({uuid.uuid4().hex[:8]})"
    _rate(app, "down", "wrong_source", comment)
    assert "Thank you" in answers(app)[-1].caption[-1].value

    stored = httpx.get(f"{api_url}/feedback", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    entry = next(e for e in stored if e["comment"] == comment)
    assert entry["rating"] == "down" and entry["reason"] == "wrong_source"
    assert entry["question"] == app.session_state["conversation"].messages[-2].content
    assert entry["answer"] == response.answer
    assert entry["passage_ids"] == [c.passage_id for c in response.citations]

    # The content team sees it with the admin token, and can download the CSV.
    team = make_app(CONTENT_TEAM)
    team.text_input(key="admin-token").input(ADMIN_TOKEN)
    next(b for b in team.button if b.label == "Show feedback").click().run()
    assert not team.exception and not team.error
    listed = team.dataframe[-1].value
    assert comment in listed["comment"].tolist()
    row = listed[listed["comment"] == comment].iloc[0]
    assert (row["rating"], row["reason"]) == ("Not helpful", "It used the wrong source")  # words, not codes
    assert "wrong_source" not in listed["reason"].tolist()
    assert "Download all feedback (CSV)" in [d.label for d in team.get("download_button")]
    csv = httpx.get(f"{api_url}/feedback.csv", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).text
    assert comment in csv


def test_thumbs_up_needs_no_reason(make_app: AppFactory, api_url: str) -> None:
    app = make_app()
    app.chat_input[0].set_value("What is Publica Group?").run()
    comment = f"clear, thanks {uuid.uuid4().hex[:8]}"
    key = f"c{app.session_state['conversation'].id}-m1"
    app.segmented_control(key=f"{key}-rating").set_value("up").run()
    assert not [s for s in app.selectbox if s.key == f"{key}-reason"]  # reasons are for answers that fell short
    _rate(app, "up", None, comment)
    stored = httpx.get(f"{api_url}/feedback", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    assert any(e["comment"] == comment and e["rating"] == "up" and e["reason"] is None for e in stored)


def test_the_feedback_list_needs_the_right_token(make_app: AppFactory) -> None:
    team = make_app(CONTENT_TEAM)
    team.text_input(key="admin-token").input("not-the-token")
    next(b for b in team.button if b.label == "Show feedback").click().run()
    assert not team.exception
    assert "not valid" in team.error[0].value and "enter the admin token again" in team.error[0].value
    # It asks for the token again: the field is empty, and there is no "Try again" that would resend the wrong one.
    assert team.text_input(key="admin-token").value == ""
    assert "Try again" not in button_labels(team)
    assert not list(team.get("download_button"))
    team.text_input(key="admin-token").input(ADMIN_TOKEN)
    next(b for b in team.button if b.label == "Show feedback").click().run()
    assert not team.exception and not team.error
    assert "Download all feedback (CSV)" in [d.label for d in team.get("download_button")]
