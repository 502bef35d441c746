"""The conversation as the browser tab keeps it: written by `saved`, read back by `restored`."""

from __future__ import annotations

import json

import pytest

from assistant.http.schemas import AskResponse, CitationOut, PassageOut, RelatedCaseStudy
from ui.state import SAVED_VERSION, Conversation, Scope, restored, saved


def _response() -> AskResponse:
    citation = CitationOut(
        n=1,
        passage_id="p1",
        text="Over 650 employees transferred into Publica.",
        chapter="Collaborating for resilience and impact",
        section=None,
        case_study="Publica Group",
        page=117,
        sentences=["Over 650 employees transferred into Publica."],
    )
    passage = PassageOut(
        id="p9", text="Retrieved but not cited.", score=0.5, chapter="c", section=None, case_study=None, page=None
    )
    return AskResponse(
        answer="Over 650 employees transferred into Publica. [1]",
        answered=True,
        status="answered",
        citations=[citation],
        passages=[passage],
        related_case_studies=[RelatedCaseStudy(id="publica-group", title="Publica Group", page=117)],
        glossary={"LEP": "Local Enterprise Partnership"},
    )


def test_a_conversation_comes_back_as_it_was_less_the_uncited_passages() -> None:
    conv = Conversation(scope=Scope("publica-group", "Publica Group"))
    conv.add_answer("How many staff transferred?", _response())
    conv.messages[-1].feedback_sent = True
    conv.add_problem("and the savings?", "The assistant isn't answering at the moment.")
    back = restored(saved(conv))
    assert back is not None and back.id != conv.id  # a new id: widget keys start clean
    assert [(m.role, m.content, m.question, m.feedback_sent) for m in back.messages] == [
        (m.role, m.content, m.question, m.feedback_sent) for m in conv.messages
    ]
    response = back.messages[-1].response
    assert response is not None
    assert response.model_dump(exclude={"passages"}) == _response().model_dump(exclude={"passages"})
    assert response.passages == []  # never shown, so never kept
    assert back.scope == conv.scope and back.pending == "and the savings?"
    assert back.problem and "Try again" in back.problem
    assert back.history() == conv.history()


def test_what_is_kept_is_plain_json_without_the_uncited_passages() -> None:
    conv = Conversation()
    conv.add_answer("How many staff transferred?", _response())
    text = saved(conv)
    assert json.loads(text)["version"] == SAVED_VERSION
    assert "Retrieved but not cited." not in text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        json.dumps({"version": SAVED_VERSION + 1, "messages": [], "scope": None, "pending": None}),
        json.dumps({"version": SAVED_VERSION, "messages": [{"role": "user"}]}),
        json.dumps({"version": SAVED_VERSION, "messages": [{"role": "assistant", "content": "x", "response": {}}]}),
    ],
    ids=["empty", "not-json", "a-list", "newer-version", "missing-content", "broken-response"],
)
def test_anything_else_is_ignored_rather_than_misread(text: str) -> None:
    assert restored(text) is None


def test_only_an_untouched_conversation_may_be_replaced() -> None:
    assert Conversation().untouched()
    assert not Conversation(scope=Scope("publica-group", "Publica Group")).untouched()
    asked = Conversation()
    asked.add_answer("q", _response())
    assert not asked.untouched() and len(asked.answers) == 1
