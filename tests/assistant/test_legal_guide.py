"""A question on the law, which the toolkit does not advise on, is pointed to the legal guide the toolkit names, in
the toolkit's own words and cited, on the real index. The questions are written for these tests, none taken from an
evaluation set."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.legal_guide import asks_about_the_law, legal_guide_pointers
from evals.grounding import marked_pieces, piece_is_grounded


@pytest.mark.parametrize(
    ("question", "on_the_law"),
    [
        ("Is it lawful for us to hand our car parks to the town council?", True),
        ("what does the law say about sharing staff?", True),
        ("Do we have a statutory duty to consult residents first?", True),
        ("Are we legally allowed to pool our reserves?", True),
        ("my mother-in-law needs a grab rail", False),
        ("how much did the shared planning team save?", False),
    ],
)
def test_a_question_on_the_law_is_told_from_one_that_only_uses_a_word_like_it(question: str, on_the_law: bool) -> None:
    assert asks_about_the_law(question) is on_the_law


def test_the_pointers_are_the_toolkits_own_sentences_naming_its_legal_guide(assistant: Any) -> None:
    pointers = legal_guide_pointers(assistant.store)
    assert len(pointers) >= 3
    assert all("www." in p.text and "legal" in p.text.lower() for p in pointers)
    assert all(assistant.store.passage(p.passage_id).case_study is None for p in pointers)


@pytest.mark.parametrize(
    ("question", "arrangement"),
    [
        ("Is it lawful for two districts to merge without holding a referendum first?", "merger"),
        ("are we allowed by law to share our residents' data with the local NHS trust?", "data sharing"),
        # Names no arrangement a pointer is on: the guide as a whole.
        ("Is it legal for two councils to share one chief executive?", "transformation and collaboration"),
    ],
)
def test_a_partial_answer_on_the_law_opens_with_the_pointer_on_what_it_asks(
    assistant: Any, question: str, arrangement: str
) -> None:
    answer = assistant.ask(question)
    assert answer.status == "partial"
    gap, _, said = answer.text.partition("\n\n")
    assert "on the law" in gap
    first, n = marked_pieces(said)[0]
    assert "Trowers & Hamlins" in first and arrangement in first, first
    cited = {c.n: c.hit.passage for c in answer.citations}
    assert cited[n].case_study is None
    assert piece_is_grounded(first, cited[n].text, answer.glossary, cited[n].footnotes)
    # What it does say follows, and the pointer is not quoted again.
    assert len(marked_pieces(said)) >= 2
    assert sum("Trowers & Hamlins" in piece for piece, _ in marked_pieces(said)) == 1


def test_advice_not_on_the_law_gets_no_pointer(assistant: Any) -> None:
    answer = assistant.ask("Given all that, should our two councils merge?")
    assert answer.status == "partial"
    assert "Trowers" not in answer.text
