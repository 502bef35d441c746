"""Case studies page: every case study with its chapter, page and summary; filter, read one, or ask about it."""

from __future__ import annotations

import streamlit as st

from assistant.http.schemas import CaseStudyOut, CaseStudySummary
from ui.client import ApiClient, NotFound, ServiceError
from ui.components.problems import show_problem
from ui.components.scroll_top import scroll_to_top
from ui.navigation import CHAT, FROM_CHAT, OPEN_CASE, OPENINGS, ask_about_case_study, open_case
from ui.services import api, case_studies, case_studies_about
from ui.state import State, conversation
from ui.text import escape_markdown, place

ALL_THEMES = "All themes"
THEME, WORDS = "case-theme", "case-words"  # the filters' widget keys
ASKING = "confirm-ask-case"  # session key: the "Ask about this case study" button awaiting a confirmation


def _close() -> None:
    st.session_state.pop(OPEN_CASE, None)
    st.session_state.pop(FROM_CHAT, None)


def _open(case_id: str) -> None:
    st.session_state.pop(FROM_CHAT, None)
    open_case(st.session_state, case_id)


def _back_buttons() -> None:
    """Back to the list; and, for a case study opened from an answer, back to that conversation, which was
    otherwise only reachable through the page menu (folded away on a phone)."""
    row = st.container(horizontal=True)
    if st.session_state.get(FROM_CHAT) and row.button(
        "Back to your conversation", icon=":material/forum:", key="back-to-chat"
    ):
        st.session_state.pop(FROM_CHAT, None)
        st.switch_page(CHAT)
    row.button("Back to all case studies", on_click=_close, icon=":material/arrow_back:")


def keep_filters(state: State) -> None:
    """Keep the theme and the words over runs that do not draw them (a case study open in full).

    Streamlit drops a widget's value after a run that does not draw the widget, so "Back to all case studies"
    came back to all 31 and the officer had to type the search again. Setting the value again each run keeps it.
    """
    for key in (THEME, WORDS):
        if key in state:
            state[key] = state[key]


def _clear_filters() -> None:
    st.session_state[THEME] = ALL_THEMES
    st.session_state[WORDS] = ""


def active_filters(theme: str, words: str) -> list[str]:
    """The filters in force, in words: 'the theme “…”', 'the words “…”'."""
    active = [f"the theme “{theme}”"] if theme != ALL_THEMES else []
    return active + ([f"the words “{words.strip()}”"] if words.strip() else [])


def matching(
    studies: list[CaseStudySummary], theme: str, words: str, about: list[CaseStudySummary] | None = None
) -> list[CaseStudySummary]:
    """The case studies in a theme (chapter): those whose title, summary or chapter contain every typed word,
    then those the service finds about the words (`about`), closest first."""
    wanted = words.lower().split()
    literal = [s for s in studies if all(w in f"{s.title} {s.summary} {s.chapter}".lower() for w in wanted)]
    found = {s.id: s for s in [*literal, *(about or [])]}
    return [s for s in found.values() if theme in (ALL_THEMES, s.chapter)]


def _keep_conversation() -> None:
    st.session_state.pop(ASKING, None)


def _ask_button(study: CaseStudySummary, key: str) -> None:
    """Start a conversation about one case study; one with answers is replaced only once the user says so (as
    "New conversation" asks), since the answers would be lost."""
    state = st.session_state
    if state.get(ASKING) == key:
        answers = len(conversation(state).answers)
        with st.container(border=True):
            st.warning(
                f"Start a new conversation about **{escape_markdown(study.title)}**? The {answers} "
                f"answer{'s' if answers != 1 else ''} of your current conversation will be cleared. Download the "
                "briefing note on the Ask the toolkit page first if you want to keep them.",
                icon=":material/warning:",
            )
            yes, no = st.columns(2)
            if yes.button("Yes, start a new conversation", key=f"{key}-confirm", icon=":material/forum:"):
                state.pop(ASKING, None)
                ask_about_case_study(state, study.id, study.title)
            no.button("No, keep my conversation", key=f"{key}-keep", on_click=_keep_conversation)
        return
    if st.button("Ask about this case study", key=key, icon=":material/forum:"):
        if conversation(state).answers:
            state[ASKING] = key
            st.rerun()
        ask_about_case_study(state, study.id, study.title)


def _detail(client: ApiClient, case_id: str) -> None:
    _back_buttons()
    try:
        study: CaseStudyOut = client.case_study(case_id)
    except NotFound:
        st.warning(
            "There is no such case study in the toolkit. Go back to see all of them.", icon=":material/search_off:"
        )
        return
    except ServiceError as exc:
        show_problem(exc, key="case-retry")
        return
    st.header(study.title)
    st.caption(escape_markdown(f"{study.chapter} · {study.page_label}"))
    _ask_button(study, "ask-open")
    where: tuple[str | None, int | None] | None = None
    for passage in study.passages:
        # A line where the section or page changes, so a reader can find the words in the printed toolkit.
        if (passage.section, passage.page) != where:
            where = (passage.section, passage.page)
            st.caption(escape_markdown(f"{place(passage.chapter, passage.section)} · {passage.page_label}"))
        for paragraph in passage.text.split("\n\n"):
            st.markdown(escape_markdown(" ".join(paragraph.split())))
    # Last, so it moves nothing above it: the case study is read from its title, wherever the list was scrolled.
    scroll_to_top(f"{case_id}-{st.session_state.get(OPENINGS, 0)}")


def _listing(client: ApiClient, studies: list[CaseStudySummary]) -> None:
    themes = list(dict.fromkeys(s.chapter for s in studies))
    left, right = st.columns(2)
    theme = left.selectbox("Theme", [ALL_THEMES, *themes], key=THEME, help="Each theme is a chapter of the toolkit.")
    words = right.text_input(
        "Search the case studies",
        key=WORDS,
        placeholder="e.g. housing, Publica, merger",
        help="Shows case studies that contain the words you type, then those about them in other words, closest first.",
    )
    about: list[CaseStudySummary] = []
    if words and words.strip():
        try:
            about = case_studies_about(client, words.strip())
        except ServiceError as exc:
            show_problem(exc, key="case-search-retry")
    shown = matching(studies, theme, words or "", about)
    # Both filters apply together; saying which are on explains a list that is shorter (or empty) than expected.
    active = active_filters(theme, words or "")
    if active:
        st.caption(f"Showing {len(shown)} of {len(studies)} case studies: filtered by {' and '.join(active)}.")
        st.button("Clear filters", on_click=_clear_filters, icon=":material/filter_alt_off:", key="clear-filters")
    else:
        st.caption(f"Showing all {len(studies)} case studies.")
    if not shown:
        st.info(f"No case study matches {' and '.join(active)}. Clear the filters to see all {len(studies)}.")
    for study in shown:
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(study.title)}**")
            st.caption(escape_markdown(f"{study.chapter} · {study.page_label}"))
            st.markdown(escape_markdown(study.summary))
            read, ask = st.columns(2)
            with read:
                st.button(
                    "Read the case study",
                    key=f"read-{study.id}",
                    on_click=_open,
                    args=(study.id,),
                    icon=":material/article:",
                )
            with ask:
                _ask_button(study, f"ask-{study.id}")


def main() -> None:
    st.title("Case studies")
    client = api()
    keep_filters(st.session_state)
    case_id = st.session_state.get(OPEN_CASE)
    if case_id:
        _detail(client, case_id)
        return
    st.markdown(
        "The examples of councils working together that the toolkit describes. Read one, or ask questions about it."
    )
    try:
        studies = case_studies(client)
    except ServiceError as exc:
        show_problem(exc, key="cases-retry")
        return
    _listing(client, studies)


main()
