"""The pages' pure text helpers: escaping, source labels, highlighting quoted sentences, topic questions."""

from __future__ import annotations

import pytest

from core.page_labels import case_study_page_label, passage_page_label
from ui.text import (
    escape_markdown,
    highlight_html,
    related_label,
    source_label,
    topic_question,
)


def test_markdown_characters_show_as_written() -> None:
    assert escape_markdown("costs $5 or *more* [1] <b>") == r"costs \$5 or \*more\* \[1\] \<b\>"


@pytest.mark.parametrize(
    ("case_study", "section", "page", "expected"),
    [
        ("Publica Group", "Governance", 121, "[2] Publica Group — Resilience › Governance, passage on page 121"),
        (None, None, None, "[2] Resilience, page unknown"),
    ],
)
def test_a_source_label_names_case_study_place_and_page(
    case_study: str | None, section: str | None, page: int | None, expected: str
) -> None:
    assert source_label(2, "Resilience", section, case_study, passage_page_label(page)) == expected


@pytest.mark.parametrize(
    ("page", "earliest", "latest", "expected"),
    [
        (121, None, None, "passage on page 121"),
        (None, 70, 71, "passage on page 70 or 71"),
        (None, 69, 71, "passage on one of pages 69–71"),
        (None, None, None, "page unknown"),
    ],
)
def test_a_passage_whose_page_was_lost_is_placed_between_the_pages_around_it(
    page: int | None, earliest: int | None, latest: int | None, expected: str
) -> None:
    assert passage_page_label(page, earliest, latest) == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [(117, "Publica Group (starts on page 117)"), (None, "Publica Group (first page unknown)")],
)
def test_a_related_case_study_gives_the_page_it_starts_on(page: int | None, expected: str) -> None:
    assert related_label("Publica Group", case_study_page_label(page)) == expected


def test_quoted_sentences_are_marked_across_the_pdf_line_breaks() -> None:
    text = "First part.\nThe company has been\nin place since 2017. Other words.\n\nNext <para> & more."
    html, missing = highlight_html(text, ["The company has been in place since 2017.", "Not in the passage."], "p1")
    assert 'data-passage-id="p1"' in html
    assert ">The company has been in place since 2017.</mark>" in html
    assert "&lt;para&gt; &amp; more" in html and html.count("<p>") == 2
    assert missing == ["Not in the passage."]


def test_a_quote_over_a_paragraph_break_closes_and_reopens() -> None:
    html, missing = highlight_html("Alpha beta.\n\nGamma delta.", ["beta. Gamma"])
    assert not missing
    assert html.count("<mark") == 2 and html.count("</mark>") == 2
    for paragraph in html.split("<p>")[1:]:
        assert paragraph.count("<mark") == paragraph.count("</mark>")


def test_a_nearby_topic_becomes_a_question() -> None:
    assert topic_question("LEPs") == "What does the toolkit say about LEPs?"
