"""Sentences the PDF broke across lines: which following line finishes a sentence."""

from __future__ import annotations

import pytest

from core.text import continues_sentence, split_sentences


@pytest.mark.parametrize(
    ("text", "continued"),
    [
        ("DCN’s “collaboration spectrum” research – undertaken in 2017\n– found that just over half agreed.", [True]),
        ("Key points for members:\n– more housing\n– better jobs", [False, False]),
        ("The councils agreed three aims\n• growth\n• housing", [False, False]),
        ("A finished sentence here.\nand a lower-case line", [False]),
        ("Short head\nlower case", [False]),
        ("The councils have worked together since 2011\nbut the partnerships took different paths.", [True]),
    ],
    ids=["dash aside across lines", "dash list", "bullets", "after a full stop", "short heading", "lower-case line"],
)
def test_only_a_line_that_finishes_the_sentence_continues_it(text: str, continued: list[bool]) -> None:
    sentences = split_sentences(text)
    assert [continues_sentence(a, b, text) for a, b in zip(sentences, sentences[1:], strict=False)] == continued
