"""Sentences the PDF broke across lines: which following line finishes a sentence."""

from __future__ import annotations

import pytest

from core.text import cell_paragraphs, continues_sentence, rejoin_urls, sentence_kind, split_sentences


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Forest Heath District Council and St. Edmundsbury Borough Council share a chief executive. They merged in 2019.",
            ["Forest Heath District Council and St. Edmundsbury Borough Council share a chief executive.", "They merged in 2019."],
        ),
        ("Cllr. John Fuller leads the network. He chairs it.", ["Cllr. John Fuller leads the network.", "He chairs it."]),
        ("Councils share services, e.g. waste and legal. This saves money.", ["Councils share services, e.g. waste and legal.", "This saves money."]),
        (
            "“Health wanted to focus on diseases. We had to explain prevention.”",
            ["“Health wanted to focus on diseases.", "We had to explain prevention.”"],
        ),
        ("It will proceed with the deal.20 The HCA played a role.", ["It will proceed with the deal.20", "The HCA played a role."]),
        ("The cost was £1.5m in 2017. Savings were 10%.", ["The cost was £1.5m in 2017.", "Savings were 10%."]),
        ("Aims:\n• growth\n• housing", ["Aims:", "growth", "housing"]),
    ],
    ids=["St.", "Cllr.", "e.g.", "quoted speech", "footnote number", "figures", "bullets"],
)
def test_sentences_are_whole(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("broken", "whole"),
    [
        (
            "ONS: https://www.ons.gov.uk/surveys/ informationforbusinesses/businesssurveys/ businessregisterandemploymentsurvey",
            "ONS: https://www.ons.gov.uk/surveys/informationforbusinesses/businesssurveys/businessregisterandemploymentsurvey",
        ),
        ("https://a.gov.uk/field_ publication_file/E.pdf and more", "https://a.gov.uk/field_publication_file/E.pdf and more"),
        ("see https://www.lga.gov.uk/ for more on this.", "see https://www.lga.gov.uk/ for more on this."),
    ],
)
def test_web_addresses_broken_across_lines_are_rejoined(broken: str, whole: str) -> None:
    assert rejoin_urls(broken) == whole


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Metropolitan District 27 £47,625,968", "cell"),
        ("Coventry & Warwickshire 5 5 15 100% 33%", "cell"),
        ("Breckland & South Holland Cherwell & South Northants", "cell"),
        ("Breckland and South Holland councils share a chief executive.", "sentence"),
        ("In 2017 the councils saved £47,625,968 between them.", "sentence"),
        ("Start with a shared fleet plan", "sentence"),
    ],
)
def test_table_and_infographic_cells_are_told_from_sentences(text: str, kind: str) -> None:
    assert sentence_kind(text) == kind


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # A heading run into the long quotation under it is a sentence of its own.
        (
            "Parishes are growing in number “We want every community to have a council of its own. It helps.”",
            ["Parishes are growing in number", "“We want every community to have a council of its own.", "It helps.”"],
        ),
        # Words that lead into the quotation keep it: speech, 'that', or a name in quotation marks that closes.
        ("The leader told us “We want every community to have a council of its own.”", None),
        ("A lesson from the work was that “You start small and then you grow it together.”", None),
        ("The minister approved the “Future Towns” proposals for two new councils in the county.", None),
    ],
)
def test_a_heading_run_into_a_quotation_is_split_off(paragraph: str, expected: list[str] | None) -> None:
    assert split_sentences(paragraph) == (expected or [paragraph])


def test_a_run_of_short_paragraphs_is_a_diagrams_cells() -> None:
    """Written for this test: a diagram's labels came out as paragraphs, one of them two sentences, and was quoted
    first to 'what are the stages?' (user trial 25)."""
    diagram = (
        "Partners meet to compare their plans for the area and agree what matters most.\n\n"
        "Agree a common problem\n\nTension over who leads\n\nPoint where the partnership is tested. It breaks or holds.\n\n"
        "Over time the partners come to trust each other and share what they have."
    )
    assert cell_paragraphs(diagram) == {"Agree a common problem", "Tension over who leads",
                                         "Point where the partnership is tested. It breaks or holds."}
    # Two short paragraphs are a heading's words or a short point; bullets are a list.
    assert not cell_paragraphs("A short point.\n\nAnother short one.\n\nA long paragraph " + "word " * 20)
    assert not cell_paragraphs("• one item\n\n• two items\n\n• three items")
