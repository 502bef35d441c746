"""Passages as stored: where their words are printed, and their round trip through a build's JSON."""

from __future__ import annotations

import json

from core.models import Mark, Passage
from core.page_labels import quoted_page_label

TEXT = "Opening words of the passage.\n\nA heading kept\nWords printed under it on the next page."
PASSAGE = Passage(
    "p1", "toolkit.txt", 0, len(TEXT), "Chapter", "First section", None, 10, TEXT, marks=(Mark(31, "A heading kept", 11),)
)


def test_words_are_placed_by_the_last_mark_before_them() -> None:
    assert PASSAGE.place_of("Opening words of the passage.") == ("First section", 10)
    # Answers rejoin the passage's lines: whitespace may differ.
    assert PASSAGE.place_of("A heading kept Words printed under it") == ("A heading kept", 11)
    # Words not in the passage are cited where the passage is, never guessed.
    assert PASSAGE.place_of("Something else entirely.") == ("First section", 10)


def test_marks_survive_a_builds_json() -> None:
    assert Passage.from_json(json.loads(json.dumps(PASSAGE.to_json()))) == PASSAGE
    # A row written before marks existed reads as a passage with none.
    old = {k: v for k, v in PASSAGE.to_json().items() if k != "marks"}
    assert Passage.from_json(old).marks == ()


def test_a_quote_on_a_later_page_says_so_and_one_on_the_passages_page_does_not() -> None:
    assert quoted_page_label(11, 10) == "quoted from page 11 (passage starts on page 10)"
    assert quoted_page_label(10, 10) == "passage on page 10"
    assert quoted_page_label(None, None, 70, 71) == "passage on page 70 or 71"
