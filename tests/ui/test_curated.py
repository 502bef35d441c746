"""Checked against the curated set: the chat page shows, for each question, exactly what POST /ask returns.

Questions come from evals/questions.jsonl: several of each kind, follow-ups with their history already in the
conversation, and out-of-scope ones that must render as abstentions.
"""

from __future__ import annotations

import httpx
import pytest

from evals.dataset import Question, load_questions
from tests.ui.conftest import AppFactory
from tests.ui.reading import answers, is_abstention, questions, source_cards
from ui.state import Conversation
from ui.text import escape_markdown, without_related

PER_KIND = {"fact": 4, "case_study": 4, "paraphrase": 3, "misspelled": 3, "follow_up": 6, "out_of_scope": 6}


def _selection() -> list[Question]:
    """The first few questions of each kind, in file order: the same set on every run."""
    chosen: list[Question] = []
    for kind, count in PER_KIND.items():
        chosen += [q for q in load_questions() if q.kind == kind][:count]
    return chosen


SELECTION = _selection()


def test_the_selection_is_broad_enough(api_url: str) -> None:
    assert len(SELECTION) >= 20
    assert sum(bool(q.history) for q in SELECTION) >= 5
    # The abstention path must really be exercised, not only named.
    abstained = [
        q for q in SELECTION if not httpx.post(f"{api_url}/ask", json={"question": q.question}).json()["answered"]
    ]
    assert len(abstained) >= 4, [q.id for q in abstained]


@pytest.mark.parametrize("question", SELECTION, ids=[f"{q.id}-{q.kind}" for q in SELECTION])
def test_the_page_shows_what_the_service_answers(question: Question, make_app: AppFactory, api_url: str) -> None:
    app = make_app(conversation=Conversation.from_turns(question.history))
    app.chat_input[0].set_value(question.question).run()
    assert not app.exception, app.exception
    assert questions(app)[-1] == question.question
    expected = httpx.post(
        f"{api_url}/ask", json={"question": question.question, "history": question.history}, timeout=30
    ).json()
    shown = answers(app)[-1]
    if expected["status"] == "partial":
        # What the toolkit does not give comes first, apart; then the closest it does say, with its sources.
        gap, _, closest = without_related(expected["answer"]).partition("\n\n")
        assert shown.info[0].value == escape_markdown(gap) and shown.markdown[0].value == escape_markdown(closest)
        cards = source_cards(shown)
        assert [(c.n, c.passage_id) for c in cards] == [(c["n"], c["passage_id"]) for c in expected["citations"]]
    elif expected["answered"]:
        assert not is_abstention(shown)
        # The answer as the service wrote it; its "Related case studies" line becomes buttons that open each one.
        assert shown.markdown[0].value == escape_markdown(without_related(expected["answer"]))
        cards = source_cards(shown)
        assert [(c.n, c.passage_id) for c in cards] == [(c["n"], c["passage_id"]) for c in expected["citations"]]
        related = [b.key.rsplit("-related-", 1)[1] for b in shown.button if "-related-" in (b.key or "")]
        assert related == [r["id"] for r in expected["related_case_studies"]]
    else:
        assert is_abstention(shown)
        assert shown.warning[0].value == escape_markdown(expected["answer"])
        topics = [b.label for b in shown.button if "-topic-" in (b.key or "")]
        assert topics == expected["nearby_topics"]
