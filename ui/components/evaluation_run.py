"""Run an evaluation from the page: the service runs `localities eval` on the index it serves; progress is shown
until the new report arrives."""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.http.schemas import EvaluationOut
from ui.client import ApiClient, Conflict, NotAllowed, ServiceError
from ui.components.admin import accepted, refuse, token

FOLLOWING = "evaluation-running"  # session key: an evaluation is being followed
NOTICE = "evaluation-notice"  # session key: (kind, message) of the last run or problem
FETCHED = "evaluation-fetched"  # session key: (folder name, report) fetched from the service after a run
SETS = {"all": "Both (blind and curated)", "blind": "Blind", "curated": "Curated"}
SPLITS = {"dev": "dev (for tuning)", "test": "test (for reporting)"}
POLL_S = 1.0


def _start(client: ApiClient) -> None:
    state = st.session_state
    state.pop(NOTICE, None)
    accepted()
    try:
        client.start_evaluation(
            token(), state["evaluation-set"], state["evaluation-split"], bool(state.get("evaluation-baselines"))
        )
    except NotAllowed as exc:
        refuse(exc)
        return
    except Conflict as exc:  # one is running already (from another tab, or a colleague): follow that one
        state[NOTICE] = ("info", str(exc))
    except ServiceError as exc:
        state[NOTICE] = ("error", str(exc))
        return
    state[FOLLOWING] = True


def _progress(status: EvaluationOut) -> None:
    if status.total:
        st.progress(
            min(status.done / status.total, 1.0),
            text=f"Evaluating: {status.stage}, {status.done} of {status.total} questions asked…",
        )
    else:
        st.progress(0.0, text=status.message or "Starting the evaluation…")


@st.fragment(run_every=POLL_S)
def _follow(client: ApiClient) -> None:
    """While the service evaluates: its progress; then its report, shown by the page."""
    state = st.session_state
    try:
        status = client.evaluation_status(token())
        if status.state == "running":
            _progress(status)
            return
        found = client.evaluation_report(token()) if status.state == "succeeded" else None
    except ServiceError as exc:
        found, status = None, None
        state[NOTICE] = ("error", str(exc))
    state.pop(FOLLOWING, None)
    if status is not None:
        state[NOTICE] = ("success" if status.state == "succeeded" else "error", status.message or status.state)
    if found is not None:
        state[FETCHED] = (found.name, found.report)
    st.rerun(scope="app")


def fetched_report() -> tuple[str, dict[str, Any]] | None:
    """The report the service sent after a run from this page, if there is one."""
    return st.session_state.get(FETCHED)  # type: ignore[no-any-return]


def _already_running(client: ApiClient) -> bool:
    """A run started before a reload (or by a colleague) is followed too, once the token is given."""
    if not token():
        return False
    try:
        running = client.evaluation_status(token()).state == "running"
    except ServiceError:  # a wrong token or a service down is said where the user acts, not on every rerun
        return False
    if running:
        st.session_state[FOLLOWING] = True
    return running


def render_evaluation_run(client: ApiClient) -> None:
    """Choose the questions and the split, run, and follow the run (admin token)."""
    with st.expander("Run an evaluation", expanded=True, icon=":material/play_circle:"):
        st.markdown(
            "Asks the evaluation's questions of the index being served and scores what it finds and answers. "
            "Without the baselines a run takes a few minutes; the page shows its progress and then the new report."
        )
        left, middle, right = st.columns(3)
        left.radio("Questions", list(SETS), format_func=SETS.__getitem__, key="evaluation-set")
        middle.radio("Split", list(SPLITS), format_func=SPLITS.__getitem__, key="evaluation-split")
        right.checkbox(
            "Also the baselines",
            key="evaluation-baselines",
            help="BM25 only, dense only and a plain LangChain pipeline, for comparison: several times slower.",
        )
        following = bool(st.session_state.get(FOLLOWING)) or _already_running(client)
        st.button(
            "Run evaluation",
            on_click=_start,
            args=(client,),
            icon=":material/play_arrow:",
            key="run-evaluation",
            disabled=following,
        )
        if notice := st.session_state.get(NOTICE):
            kind, message = notice
            getattr(st, kind)(message)
        if following:
            _follow(client)
