"""Whose words an answer quotes: each case study's sentences under its title, unless it is the one case study the
user named. Questions written for these tests in our own words."""

from __future__ import annotations

import re
from typing import Any

from assistant.attribution import ELSEWHERE, by_source, group_label, needs_labels
from assistant.composition import Candidate
from assistant.retrieval import Hit
from core.models import CaseStudy, Passage, Turn
from evals.grounding import marked_pieces

QUESTIONS = [
    "Which councils have saved money by sharing their staff and services?",
    "Has anyone used housing adaptations to keep older people out of hospital?",
    "What have shared chief executives achieved for the councils involved?",
    "Are there examples of districts improving public health with partners?",
]


def _candidate(text: str, study: str | None) -> Candidate:
    passage = Passage(text[:8], "s", 0, 1, "c", None, study, 1, text)
    return Candidate(text, Hit(passage, 1.0, 1.0, 0.0), 0, "description", 1.0)


def test_sentences_are_grouped_by_case_study_where_each_first_appears() -> None:
    chosen = [_candidate("A one.", "A"), _candidate("General.", None), _candidate("B one.", "B"), _candidate("A two.", "A")]
    groups = by_source(chosen)
    assert [(study, [c.text for c in group]) for study, group in groups] == [
        ("A", ["A one.", "A two."]), (None, ["General."]), ("B", ["B one."])
    ]
    assert needs_labels(groups) and needs_labels(groups, {"A", "B"})
    # One case study beside the toolkit's own text: labelled even when the user named it (or the conversation is on
    # it), so that the toolkit's sentences are not read as the case study's; alone, only when the user did not.
    assert needs_labels(by_source(chosen[:2])) and needs_labels(by_source(chosen[:2]), {"A"})
    assert needs_labels(by_source(chosen[:1])) and not needs_labels(by_source(chosen[:1]), {"A"})
    assert not needs_labels(by_source([_candidate("General.", None)]))
    studies = {"A": CaseStudy("a", "A", "c", 12, "s", None)}
    assert group_label("A", studies, first=True) == "A (starts on page 12):"
    assert group_label(None, studies, first=False) == ELSEWHERE and group_label(None, studies, first=True) is None


def test_an_answer_quoting_several_case_studies_says_whose_each_sentence_is(assistant: Any) -> None:
    labelled = 0
    for question in QUESTIONS:
        answer = assistant.ask(question)
        studies = {c.hit.passage.case_study for c in answer.citations} - {None}
        paragraphs = answer.text.split("\n\n")
        if not studies:
            assert not any(p.endswith("):") for p in paragraphs if "[" not in p), answer.text
            continue
        labelled += 1
        by_n = {c.n: c.hit.passage.case_study for c in answer.citations}
        label = None
        for paragraph in paragraphs:
            if paragraph.startswith("Related case studies:"):
                break
            if "[" not in paragraph:  # a label: a case study's title (and page), or the toolkit's own text
                label = paragraph
                continue
            for _, n in marked_pieces(paragraph):
                study = by_n[n]
                assert (label or "").startswith(study) if study else label in (None, ELSEWHERE), (label, study)
        # Sources are numbered as they are read, and the related case studies start with those quoted.
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
        assert numbers == sorted(numbers)
        quoted = list(dict.fromkeys(s for s in (by_n[n] for n in numbers) if s))
        assert [c.title for c in answer.related][: len(quoted)] == quoted
    assert labelled >= 3


def test_a_case_study_the_user_did_not_name_is_introduced_by_its_title(assistant: Any) -> None:
    """'The District Council set up a town council …' does not say which council: under the case study's title it
    does. Asked by name, the title would only repeat the question."""
    unnamed = assistant.ask("Has a district council created a new town council for an unparished area?")
    [study] = {c.hit.passage.case_study for c in unnamed.citations} - {None}
    assert unnamed.text.startswith(f"{study} (starts on page ")
    named = assistant.ask("How did Wyre Forest create a new town council for an unparished area?")
    assert {c.hit.passage.case_study for c in named.citations} == {study}
    assert not named.text.startswith(study)


def test_asked_which_council_it_was_the_answer_names_the_case_study_the_conversation_is_on(assistant: Any) -> None:
    """Its sentences say 'the Council'; the conversation knows which, but 'which council was it?' asks just that."""
    opening = "Has any district given the running of parks or public toilets to a town council?"
    first = assistant.ask(opening)
    [study] = {c.hit.passage.case_study for c in first.citations} - {None}
    history = [Turn(role="user", content=opening), Turn(role="assistant", content=first.text)]
    named = assistant.ask("which council was that?", history)
    assert named.text.startswith(f"{study} (starts on page "), named.text
    said = assistant.ask("what did the town council take on?", history)
    assert {c.hit.passage.case_study for c in said.citations} == {study}
    assert not said.text.startswith(study)


def test_after_a_definition_a_case_studys_sentences_come_under_its_title(assistant: Any) -> None:
    """Written for this test: 'what is X and who has done it?' is the glossary's definition, then the toolkit on the
    rest. There, 'The two councils …' of a case study read as the councils of the sentence before."""
    for question in ("what is a joint venture and which councils have set one up?", "what is shared management and who has tried it?"):
        answer = assistant.ask(question)
        _, _, more = answer.text.partition("Where the toolkit uses it:")
        rest = more.split("\n\n")[2:]  # past the term's uses: what the other asks were answered with
        by_n = {c.n: c.hit.passage.case_study for c in answer.citations}
        label, checked = None, 0
        for paragraph in rest:
            if paragraph.startswith("Related case studies:"):
                break
            if "[" not in paragraph:
                label = paragraph
                continue
            for _, n in marked_pieces(paragraph):
                if by_n[n]:
                    assert (label or "").startswith(by_n[n]), (question, label, by_n[n])
                    checked += 1
        assert checked, answer.text
