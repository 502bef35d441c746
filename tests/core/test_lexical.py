"""Words and tokens: the one stop-word list, and what lexical search indexes."""

from __future__ import annotations

from bm25s.tokenization import STOPWORDS_EN

from core.lexical import STOP_WORDS, lexical_tokens, words


def test_the_stop_words_are_the_english_list_the_index_was_tuned_with() -> None:
    # Written out in core/ so that no layer imports a search library for it; the same words as bm25s's list.
    assert frozenset(STOPWORDS_EN) == STOP_WORDS


def test_tokens_drop_stop_words_and_stem_the_rest() -> None:
    assert "the" in words("The councils shared services")
    assert lexical_tokens("The councils shared services") == ["council", "share", "servic"]


def test_a_footnote_number_printed_against_a_word_is_not_part_of_it() -> None:
    # Written for this test, as the toolkit prints its footnote numbers; short names with a number stay whole.
    assert words("The Collaboration Continuum7 and the Guide37 (M3, A14) in 2018") == [
        "the", "collaboration", "continuum", "and", "the", "guide", "m3", "a14", "in", "2018",
    ]  # fmt: skip
