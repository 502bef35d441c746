"""Content team page: the latest evaluation, a search tester, a passage browser and the users' feedback."""

from __future__ import annotations

import streamlit as st

from ui.client import ServiceError
from ui.components.eval_report import render_report
from ui.components.feedback_list import render_feedback_list
from ui.components.passage_browser import render_passage_browser
from ui.components.problems import show_problem
from ui.components.search_tester import render_search_tester
from ui.evaluation import load_latest
from ui.services import api, passages


def main() -> None:
    st.title("Content team")
    st.markdown("How well the assistant finds the toolkit's answers, what it finds for a query, and what users said.")
    client = api()
    report, search, browse, feedback = st.tabs(["Evaluation", "Search tester", "Passage browser", "Feedback"])
    with report:
        render_report(load_latest())
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
