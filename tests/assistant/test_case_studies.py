"""Case studies as the Case studies page lists them: each with a summary a reader can take as the toolkit's own."""

from __future__ import annotations

import re

from core.text import quotable


def test_every_summary_is_a_whole_statement_of_the_toolkit_about_its_case_study(assistant) -> None:  # type: ignore[no-untyped-def]
    """Not a quotation left open ('… get buy-in.”'), an attribution line ('Marcus Jones MP, …'), a sentence pointing
    elsewhere ('The case study below illustrates …') or leaning on the one before ('It demonstrates …')."""
    listed = assistant.case_studies()
    assert len(listed) == len(assistant.store.case_studies())
    for study, summary in listed:
        assert quotable(summary), (study.title, summary)
        assert not re.search(r"[“”\"]|\b(below|above)\b|:$", summary), (study.title, summary)
        assert not re.match(r"(It|This|These|They)\b", summary), (study.title, summary)
        assert len(summary.split()) >= 8 and summary[0].isupper() and summary.endswith((".", "!", "…")), (study.title, summary)


def test_a_summary_names_its_case_study_where_a_sentence_of_it_does(assistant) -> None:  # type: ignore[no-untyped-def]
    named = [
        summary
        for study, summary in assistant.case_studies()
        if any(word in summary.lower() for word in re.findall(r"[a-z]{4,}", study.title.lower()) if word not in {"council", "councils", "district", "with", "partnership"})
    ]
    assert len(named) >= len(assistant.case_studies()) - 2
