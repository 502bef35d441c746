"""Chat page: questions to the toolkit, answers with source cards, feedback, and starters on a first visit."""

from __future__ import annotations

from datetime import date

import streamlit as st

from assistant.http.schemas import MAX_QUESTION_CHARS, DefinitionOut, RelatedCaseStudy
from ui.briefing import TOOLKIT, briefing_docx, briefing_entries, briefing_markdown, file_name
from ui.client import ApiClient, ServiceError
from ui.components.browser_copy import keep_in_tab
from ui.components.feedback import render_feedback
from ui.components.problems import show_problem
from ui.components.sources import render_sources
from ui.navigation import CASE_STUDIES, read_case_study
from ui.services import api, case_study_id
from ui.state import Conversation, Message, conversation, start_new
from ui.text import escape_markdown, related_label, topic_question, without_related

QUEUED = "queued_question"  # session key: a question chosen by a button, asked on the next run
QUESTION_BOX = "question-box"  # the chat input's key, so an over-long question can be put back in it
TOO_LONG = "too-long"  # session key: the length of a question put back because it was over the limit
CONFIRMING = "confirming-new"  # session key: "New conversation" was pressed on a conversation with answers
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ABOUT = (
    "Ask about the *Transformation in localities* toolkit, written in 2018 by the District Councils' Network "
    "and Grant Thornton. Answers use only the toolkit's own words, with numbered sources you can open and check. "
    "It knows nothing from after 2018 or from outside the toolkit, it is not legal advice, and it can be wrong: "
    "please check the sources before you rely on an answer."
)
NOTHING_NEAR_NEXT = (
    "Try asking in other words (the toolkit's own terms often work best), or browse the case studies to see "
    "what the toolkit covers."
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
    st.session_state.pop(CONFIRMING, None)
    start_new(st.session_state)


def _ask_before_clearing() -> None:
    """A "New conversation" on a conversation with answers asks first: one slip would lose them all."""
    if conversation(st.session_state).answers:
        st.session_state[CONFIRMING] = True
    else:
        _new_conversation()


def _keep_conversation() -> None:
    st.session_state.pop(CONFIRMING, None)


def _check_length() -> None:
    """On submit: a question over the service's limit goes back into the box, whole, instead of being asked.

    The box itself has no max_chars: with one, the browser silently refuses a longer paste and the user is
    left with an empty box and no idea why.
    """
    typed = st.session_state.get(QUESTION_BOX) or ""
    if len(typed.strip()) > MAX_QUESTION_CHARS:
        st.session_state[TOO_LONG] = len(typed.strip())
        st.session_state[QUESTION_BOX] = typed  # a trigger widget shows this in the box and returns None


def too_long_message(length: int, limit: int = MAX_QUESTION_CHARS) -> str:
    over = length - limit
    return (
        f"Your question is {length:,} characters long, and the assistant takes questions of up to {limit:,} "
        f"characters. It is back in the box below: shorten it by at least {over:,} "
        f"character{'s' if over != 1 else ''}, then press Enter."
    )


def _clear_scope() -> None:
    conversation(st.session_state).scope = None


def _header(conv: Conversation, asking: bool) -> None:
    st.title("Ask the toolkit")
    if st.session_state.get(CONFIRMING) and conv.answers:
        answers = len(conv.answers)
        with st.container(border=True):
            st.warning(
                f"Start a new conversation? The {answers} answer{'s' if answers != 1 else ''} below will be cleared. "
                "Download the briefing note first if you want to keep them.",
                icon=":material/warning:",
            )
            yes, no = st.columns(2)
            yes.button("Yes, clear it", on_click=_new_conversation, icon=":material/delete:", key="confirm-new")
            no.button("No, keep this conversation", on_click=_keep_conversation, key="keep-conversation")
    elif conv.messages or conv.pending or conv.scope or asking:
        st.button("New conversation", on_click=_ask_before_clearing, icon=":material/add_comment:")
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
        return
    # Nothing near to offer: without a next step the user was left at a dead end, unsure whether to rephrase.
    st.markdown(NOTHING_NEAR_NEXT)
    st.page_link(CASE_STUDIES, label="Browse the case studies", icon=":material/library_books:")


def _answer_text(answer: str, definition: DefinitionOut | None) -> None:
    """An answer's words; a definition from the assistant's own glossary set apart, so it is not read as the toolkit's."""
    if definition is None:
        st.markdown(escape_markdown(answer))
        return
    st.info(
        f"**{escape_markdown(definition.term)}**, in plain words: {escape_markdown(definition.definition)}\n\n"
        "*This definition is from the assistant's own glossary, not the toolkit's words.*",
        icon=":material/dictionary:",
    )
    rest = answer.partition("\n\n")[2].strip()  # the definition is the answer's first paragraph (`/ask` says so)
    if rest:
        st.markdown(escape_markdown(rest))


def _related(studies: list[RelatedCaseStudy], key: str) -> None:
    """The answer's related case studies, each a button that opens it on the Case studies page."""
    if not studies:
        return
    st.caption("Related case studies. Open one to read it in full:")
    for study in studies:
        if st.button(
            related_label(study.title, study.page_label), key=f"{key}-related-{study.id}", icon=":material/article:"
        ):
            read_case_study(st.session_state, study.id)


def _briefing(conv: Conversation) -> None:
    """The conversation so far as a briefing note: Word for a committee report, Markdown for anything else."""
    today = date.today()
    entries = briefing_entries(conv)
    st.caption(
        "Take this conversation away: each question and answer with its sources, quoted passages and printed pages."
    )
    # Built when clicked, not on every rerun of the page.
    row = st.container(horizontal=True)
    row.download_button(
        "Download briefing note",
        data=lambda: briefing_docx(entries, TOOLKIT, today),
        file_name=file_name(today, "docx"),
        mime=DOCX,
        icon=":material/download:",
        key=f"c{conv.id}-briefing-docx",
        on_click="ignore",
    )
    row.download_button(
        "Download as Markdown",
        data=lambda: briefing_markdown(entries, TOOLKIT, today),
        file_name=file_name(today, "md"),
        mime="text/markdown",
        icon=":material/download:",
        key=f"c{conv.id}-briefing-md",
        on_click="ignore",
    )


def _render_message(client: ApiClient, conv: Conversation, index: int, message: Message) -> None:
    key = f"c{conv.id}-m{index}"
    with st.chat_message(message.role):
        response = message.response
        if response is None:  # a question, or an earlier answer given without sources
            st.markdown(escape_markdown(message.content))
            return
        if response.status == "partial":
            # What the toolkit does not give comes first, set apart; then the closest it does say, with its sources.
            gap, _, closest = without_related(response.answer).partition("\n\n")
            st.info(escape_markdown(gap), icon=":material/info:")
            st.markdown(escape_markdown(closest))
            render_sources(response.citations, key, lambda title: case_study_id(client, title))
            _related(response.related_case_studies, key)
        elif response.answered:
            _answer_text(without_related(response.answer), response.definition)
            render_sources(response.citations, key, lambda title: case_study_id(client, title))
            _related(response.related_case_studies, key)
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
    typed = st.chat_input("Ask a question about the toolkit", key=QUESTION_BOX, on_submit=_check_length)
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
    too_long = st.session_state.pop(TOO_LONG, None)
    if too_long:
        st.error(too_long_message(too_long), icon=":material/short_text:")
    if conv.answers:
        _briefing(conv)
    keep_in_tab(st.session_state)


main()
