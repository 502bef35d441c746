"""Which heading-like blocks open a section: the pure rules, on lines written here (the toolkit's own cases are
checked on the real corpus in test_layout.py)."""

from __future__ import annotations

import pytest

from ingest.blocks import merge_continuations, page_blocks
from ingest.pages import Line
from ingest.sections import heads_a_table, labels_box_above, section_heading, speakers_and_signatories

NOTHING_PRINTED_ALONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    "heading",
    [
        "Phase 1: Scoping Phase 2: Design Phase 3: Delivery",  # one word opens each column head
        "North Valley Trust Eastern Coast Trust",  # one word closes each
        "Adult learners Young carers Older residents",  # three phrases, each restarting on a capital
    ],
)
def test_column_heads_run_together_name_no_section_and_the_section_goes_on(heading: str) -> None:
    assert section_heading([heading], NOTHING_PRINTED_ALONE, "Earlier section") == "Earlier section"


@pytest.mark.parametrize(
    "heading",
    [
        "Working with the Local Government Association",  # a name after 'the' is not a new column
        "Planning for growth",
        "Leisure, parks and open spaces",
    ],
)
def test_a_heading_the_document_prints_names_its_section(heading: str) -> None:
    assert section_heading([heading], NOTHING_PRINTED_ALONE, "Earlier section") == heading


@pytest.mark.parametrize(
    ("lines", "section"),
    [
        (["Tools and resources  ", "in this section"], None),  # a contents box's label: the chapter's text follows
        (["Case studies in this chapter"], None),
        (["How to use the tools  ", "in this section"], "How to use the tools in this section"),  # a box of its own
    ],
)
def test_a_label_pointing_at_what_the_section_holds_names_no_section(lines: list[str], section: str | None) -> None:
    assert section_heading(lines, NOTHING_PRINTED_ALONE, "Earlier section") == section


@pytest.mark.parametrize(
    ("heading", "before", "after", "names_the_box_above"),
    [
        ("Key questions", "• Are your relationships where they need to be?", "An interesting finding was …", True),
        ("Key questions – is a merger right for us?", "• Do you share management?", "For further information …", True),
        # Printed above its questions, the label heads them as any section does.
        ("Key questions", "Some questions to consider include:", "• Is there a shared purpose?", False),
        ("Key questions", "• Is there a shared purpose?", "• Do leaders agree?", False),
        ("Key learning points", "• Did the partners agree?", "Partners said …", False),  # no box of questions
        ("Key questions", "• Pool budgets where the case is made.", "Partners said …", False),  # no question above
    ],
)
def test_a_questions_box_label_printed_under_its_questions_names_them(
    heading: str, before: str, after: str, names_the_box_above: bool
) -> None:
    assert labels_box_above(heading, before, after) is names_the_box_above


def test_who_said_or_signed_the_words_above_is_no_section() -> None:
    kinds = ["heading", "text", "heading", "heading", "heading", "text", "text", "heading", "text", "heading"]
    texts = [
        "Introduction",
        "The partnership saved money. “We would do it again tomorrow.”",
        "Parish council clerk",  # under a quotation, naming a role: its speaker
        "Jo Bloggs",  # a name printed just above a job title
        "Director of Housing",
        "Our councils will go on working together.",
        "Residents asked for one front door, “not three”",
        "Benefits to residents",  # under a quotation, but naming no role or body: a heading
        "Savings came in the second year.",
        "Cllr. Sam Patel",  # a name with its title
    ]
    assert speakers_and_signatories(kinds, texts) == {2, 3, 4, 9}


@pytest.mark.parametrize(
    ("following", "header"),
    [("Parks 12 £40,000", True), ("3 1 4 25% 50%", True), ("March 2022", False), ("12. https://example.org/a", False)],
)
def test_a_heading_over_a_row_of_figures_heads_a_table(following: str, header: bool) -> None:
    assert heads_a_table(following) is header


def _lines(*texts: str) -> list[Line]:
    lines, offset = [], 0
    for index, text in enumerate(texts):
        lines.append(Line(index, text, offset, offset + len(text)))
        offset += len(text) + 1
    return lines


def test_a_block_cut_after_a_word_no_sentence_ends_on_goes_on_in_the_next() -> None:
    blocks = merge_continuations(page_blocks(_lines("• Pensions need care, taking the", "", "LGPS into account"), 0))
    assert [b.text() for b in blocks] == ["• Pensions need care, taking the LGPS into account"]


def test_a_list_cut_before_its_and_is_one_cell_not_a_heading() -> None:
    blocks = page_blocks(_lines("Grants, Home", "Repairs teams,", "and Handyperson help"), 0)
    assert [(b.kind, b.text()) for b in blocks] == [("text", "Grants, Home Repairs teams, and Handyperson help")]


def test_a_heading_wrapped_onto_a_short_line_above_its_paragraph_is_cut_off_it() -> None:
    blocks = page_blocks(
        _lines(
            "Pooling budgets can be slow: agree the rules",
            "before you start",
            "Partners warned that pooled budgets need a written agreement",
            "on who carries any overspend.",
        ),
        0,
    )
    assert [(b.kind, b.text()) for b in blocks] == [
        (
            "text",
            "Pooling budgets can be slow: agree the rules before you start\n"
            "Partners warned that pooled budgets need a written agreement on who carries any overspend.",
        ),
    ]


@pytest.mark.parametrize(
    "lines",
    [
        # a sentence broken before a name: its second line ends on the name running on
        ("Funding streams were widened this year to include the Disabled", "Facilities Grant", "Grant for repairs to homes."),
        ("The three councils agreed a joint approach with", "South Norfolk", "Council and its partners in 2016."),  # dangles
        ("Savings came from the shared legal team, the", "ICT service", "And the contact centre."),  # dangles
        ("Each council pays its share of the costs.", "Quarterly", "Reports go to the joint committee."),  # a sentence ends
    ],
)
def test_prose_broken_across_short_lines_is_no_heading(lines: tuple[str, str, str]) -> None:
    assert all("\n" not in b.text() for b in page_blocks(_lines(*lines), 0))
