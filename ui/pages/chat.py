"""Chat page: questions to the toolkit, answers with source cards, feedback, and starters on a first visit."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiClient, ServiceError
from ui.components.feedback import render_feedback
from ui.components.problems import show_problem
from ui.components.sources import render_sources
from ui.services import api, case_study_id
from ui.state import Conversation, Message, conversation, start_new
from ui.text import escape_markdown, topic_question

QUEUED = "queued_question"  # session key: a question chosen by a button, asked on the next run

ABOUT = (
    "Ask about the *Transformation in localities* toolkit, written in 2018 by the District Councils' Network "
    "and Grant Thornton. Answers use only the toolkit's own words, with numbered sources you can open and check. "
    "It knows nothing from after 2018 or from outside the toolkit, it is not legal advice, and it can be wrong: "
    "please check the sources before you rely on an answer."
)
STARTERS = (
    "How have district councils worked with Local Enterprise Partnerships?",
    "How much money have councils saved by sharing services?",
    "What should we think about before merging with a neighbouring council?",
    "How can councils work with town and parish councils?",
)
# Worded so that a question scoped to any one case study finds an answer (checked across all 31).
SCOPED_STARTERS = (
    "What did the councils do?",
    "How did the councils work together?",
    "What lessons does it offer other councils?",
)


def _queue(question: str) -> None:
    st.session_state[QUEUED] = question


def _new_conversation() -> None:
    start_new(st.session_state)


def _clear_scope() -> None:
    conversation(st.session_state).scope = None


def _header(conv: Conversation, asking: bool) -> None:
    st.title("Ask the toolkit")
    if conv.messages or conv.pending or conv.scope or asking:
        st.button("New conversation", on_click=_new_conversation, icon=":material/add_comment:")
    if conv.scope:
        st.info(
            f"Your questions are about one case study: **{escape_markdown(conv.scope.title)}**.",
            icon=":material/filter_alt:",
        )
        st.button("Ask about the whole toolkit instead", on_click=_clear_scope, icon=":material/filter_alt_off:")


def _first_visit(conv: Conversation) -> None:
    st.markdown(ABOUT)
    starters = SCOPED_STARTERS if conv.scope else STARTERS
    st.markdown("**Try one of these questions:**")
    for number, question in enumerate(starters):
        st.button(question, key=f"starter-{number}", on_click=_queue, args=(question,), width="stretch")


def _abstention(message: Message, key: str) -> None:
    st.warning(escape_markdown(message.content), icon=":material/help:")
    topics = message.response.nearby_topics if message.response else []
    if topics:
        st.markdown("Ask about one of them instead:")
        for number, topic in enumerate(topics):
            st.button(topic, key=f"{key}-topic-{number}", on_click=_queue, args=(topic_question(topic),))


def _render_message(client: ApiClient, conv: Conversation, index: int, message: Message) -> None:
    key = f"c{conv.id}-m{index}"
    with st.chat_message(message.role):
        response = message.response
        if response is None:  # a question, or an earlier answer given without sources
            st.markdown(escape_markdown(message.content))
            return
        if response.answered:
            st.markdown(escape_markdown(response.answer))
            render_sources(response.citations, key, lambda title: case_study_id(client, title))
        else:
            _abstention(message, key)
        render_feedback(client, message, key)


def _ask(client: ApiClient, conv: Conversation, question: str) -> bool:
    """Ask the service, with the conversation so far; True when an answer arrived."""
    with st.chat_message("user"):
        st.markdown(escape_markdown(question))
    try:
        with st.spinner("Looking through the toolkit…"):
            response = client.ask(question, conv.history(), conv.scope.id if conv.scope else None)
    except ServiceError as exc:
        conv.add_problem(question, str(exc))
        return False
    conv.add_answer(question, response)
    return True


def main() -> None:
    client = api()
    conv = conversation(st.session_state)
    # chat_input is pinned to the bottom wherever it is called; calling it first tells us whether to show the starters.
    typed = st.chat_input("Ask a question about the toolkit", max_chars=2_000)
    queued = st.session_state.pop(QUEUED, None)  # popped even when a typed question wins, so it isn't asked later
    question = (typed or "").strip() or queued
    _header(conv, asking=bool(question))
    if not conv.messages and not conv.pending and not question:
        _first_visit(conv)
    for index, message in enumerate(conv.messages):
        _render_message(client, conv, index, message)
    if question and _ask(client, conv, question):
        _render_message(client, conv, len(conv.messages) - 1, conv.messages[-1])
    elif conv.pending and conv.problem:
        if not question:  # a question that failed on an earlier run: show it again above the problem
            with st.chat_message("user"):
                st.markdown(escape_markdown(conv.pending))
        show_problem(conv.problem, key=f"c{conv.id}-retry", on_retry=_queue, args=(conv.pending,))


main()
