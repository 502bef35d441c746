"""Content team page: the latest evaluation (and running one), the documents, a search tester, a passage browser
and the users' feedback. The admin token, asked once at the top, opens the documents, evaluations and feedback."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.client import ApiClient, ServiceError
from ui.components.admin import token_field
from ui.components.documents import render_documents
from ui.components.eval_report import render_report
from ui.components.evaluation_run import fetched_report, render_evaluation_run
from ui.components.feedback_list import render_feedback_list
from ui.components.passage_browser import render_passage_browser
from ui.components.problems import show_problem
from ui.components.search_tester import render_search_tester
from ui.evaluation import load_latest
from ui.services import api, passages


def _evaluation(client: ApiClient) -> None:
    render_evaluation_run(client)
    # The newer of this machine's latest report and the one the service sent after a run from this page (the
    # service may write its reports on another machine). Report folders are named by time, so names sort.
    found = load_latest()
    sent = fetched_report()
    if sent is not None and (found is None or sent[0] >= found[0].name):
        found = (Path(sent[0]), sent[1])
    render_report(found)


def main() -> None:
    st.title("Content team")
    st.markdown(
        "How well the assistant finds the toolkit's answers, the documents it answers from, what it finds for a "
        "query, and what users said."
    )
    client = api()
    token_field()
    report, documents, search, browse, feedback = st.tabs(
        ["Evaluation", "Documents", "Search tester", "Passage browser", "Feedback"]
    )
    with report:
        _evaluation(client)
    with documents:
        render_documents(client)
    problem: ServiceError | None = None
    try:
        # Chapters in reading order, from the passages themselves: some chapters have no case studies.
        chapters = list(dict.fromkeys(p.chapter for p in passages(client)))
    except ServiceError as exc:
        chapters = []
        problem = exc
    with search:
        render_search_tester(client, chapters)
    with browse:
        if problem:
            show_problem(problem, key="chapters-retry")
        render_passage_browser(client, chapters)
    with feedback:
        render_feedback_list(client)


main()
