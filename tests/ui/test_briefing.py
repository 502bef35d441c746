"""The briefing note's pure functions: a conversation in, a Word document and its Markdown twin out."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from assistant.http.schemas import AskResponse, CitationOut, RelatedCaseStudy
from ui.briefing import TOOLKIT, briefing_docx, briefing_entries, briefing_markdown, file_name, long_date
from ui.state import Conversation

ON = date(2026, 12, 1)
QUOTED = "Over 650 employees from the partner authorities transferred into Publica."
ANSWER = f"{QUOTED} [1] Savings of £1.2m a year were *expected*. [2]\n\nRelated case studies: Publica Group (starts on page 117)."
DECLINED = (
    "The toolkit does not seem to cover this question, so I can't answer it from the toolkit. "
    "Nearby topics it does cover: Publica Group; LEPs."
)


def _citation(n: int, sentences: list[str], page: int | None, section: str | None) -> CitationOut:
    return CitationOut(
        n=n,
        passage_id=f"p{n}",
        text=" ".join(sentences) or "A passage with no sentence recorded as quoted.",
        chapter="Collaborating for resilience and impact",
        section=section,
        case_study="Publica Group" if n == 1 else None,
        page=page,
        sentences=sentences,
    )


def _conversation() -> Conversation:
    answered = AskResponse(
        answer=ANSWER,
        answered=True,
        status="answered",
        citations=[
            _citation(1, [QUOTED], 121, "Five-council partnership"),
            _citation(2, ["Savings of £1.2m a year were *expected*."], None, None),
        ],
        passages=[],
        related_case_studies=[RelatedCaseStudy(id="publica-group", title="Publica Group", page=117)],
        glossary={},
    )
    declined = AskResponse(
        answer=DECLINED, answered=False, status="not_covered", citations=[], passages=[], related_case_studies=[], glossary={}
    )
    conv = Conversation()
    conv.add_answer("How many staff transferred into Publica?", answered)
    conv.add_answer("How do I apply for a blue badge?", declined)
    return conv


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_entries_follow_the_conversation_with_a_source_for_every_marker() -> None:
    first, second = briefing_entries(_conversation())
    assert first.question == "How many staff transferred into Publica?"
    assert "Related case studies" not in first.answer and "[1]" in first.answer and "[2]" in first.answer
    assert [s.n for s in first.sources] == [1, 2]
    # The card's page is its passage's; the related list gives the page the case study starts on.
    assert first.sources[0].label() == (
        "[1] Publica Group — Collaborating for resilience and impact › Five-council partnership, passage on page 121"
    )
    assert first.sources[1].label() == "[2] Collaborating for resilience and impact, page unknown"
    assert first.related == ("Publica Group (starts on page 117)",)
    assert not second.answered and not second.sources and "does not seem to cover" in second.answer


@pytest.mark.parametrize("render", ["docx", "markdown"])
def test_the_note_holds_title_year_date_questions_answers_and_quoted_sources(render: str) -> None:
    entries = briefing_entries(_conversation())
    text = (
        _docx_text(briefing_docx(entries, TOOLKIT, ON)) if render == "docx" else briefing_markdown(entries, TOOLKIT, ON)
    )
    plain = text.replace("\\", "")  # Markdown escapes, read as a person reads them
    for expected in (
        "Transformation in localities toolkit (2018)",
        "District Councils' Network and Grant Thornton UK LLP",
        "1 December 2026",
        "1. How many staff transferred into Publica?",
        f"{QUOTED} [1]",
        "[1] Publica Group — Collaborating for resilience and impact › Five-council partnership, passage on page 121",
        f"“{QUOTED}”",
        "[2] Collaborating for resilience and impact, page unknown",
        "Related case studies: Publica Group (starts on page 117).",
        "2. How do I apply for a blue badge?",
        "does not seem to cover this question",
    ):
        assert expected in plain, expected
    # Sources come after their answer, and the second question after the first answer's sources.
    assert plain.index(f"{QUOTED} [1]") < plain.index("passage on page 121") < plain.index("2. How do I apply")


def test_the_docx_quotes_in_the_quote_style_and_names_itself() -> None:
    document = docx.Document(io.BytesIO(briefing_docx(briefing_entries(_conversation()), TOOLKIT, ON)))
    quotes = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Quote"]
    assert quotes == [f"“{QUOTED}”", "“Savings of £1.2m a year were *expected*.”"]
    assert document.core_properties.title == "Briefing note: Transformation in localities toolkit"
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == ["1. How many staff transferred into Publica?", "2. How do I apply for a blue badge?"]


def test_markdown_keeps_the_markers_and_escapes_what_would_change_the_text() -> None:
    markdown = briefing_markdown(briefing_entries(_conversation()), TOOLKIT, ON)
    assert r"were \*expected\*. [2]" in markdown  # emphasis escaped, the marker left readable
    assert "> “Over 650 employees" in markdown
    assert markdown.startswith("# Briefing note: Transformation in localities toolkit (2018)\n")


def test_an_empty_conversation_gives_a_note_with_only_the_heading() -> None:
    markdown = briefing_markdown(briefing_entries(Conversation()), TOOLKIT, ON)
    assert "Transformation in localities toolkit" in markdown and "## " not in markdown


def test_dates_and_file_names() -> None:
    assert long_date(date(2027, 3, 9)) == "9 March 2027"
    assert file_name(ON, "docx") == "localities-briefing-2026-12-01.docx"
