"""Whose words an answer quotes, said in the text when it quotes more than one case study: one council's figure
run on after another's reads as that council's own ('It is already saving the NHS £53,476' after a sentence about
Lightbulb was Wycombe's)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from assistant.composition import Candidate
from core.models import CaseStudy
from core.page_labels import case_study_page_label

ELSEWHERE = "Elsewhere in the toolkit:"


def by_source(chosen: Sequence[Candidate]) -> list[tuple[str | None, list[Candidate]]]:
    """The chosen sentences grouped by the case study they come from (None: the toolkit's own text), each group
    where its first sentence was, so the sentence answering the main ask still opens the answer."""
    groups: dict[str | None, list[Candidate]] = {}
    for candidate in chosen:
        groups.setdefault(candidate.hit.passage.case_study, []).append(candidate)
    return list(groups.items())


def needs_labels(groups: Sequence[tuple[str | None, list[Candidate]]], known: Collection[str] = ()) -> bool:
    """Each group says whose it is when the answer quotes two case studies or more, or one the user has not
    named (`known`: named in the question, or what the conversation is about): 'The District Council set up
    Kidderminster Town Council …' does not say which council, and an officer looking for an example wants its
    title and page first, not in the related case studies at the end. So does an answer quoting a case study and
    the toolkit's own text: unlabelled, a merger business case's savings read as the Kent pilot's figures (user trial
    24)."""
    studies = [study for study, _ in groups if study]
    mixed = bool(studies) and len(studies) < len(groups)
    return len(studies) >= 2 or mixed or any(study not in known for study in studies)


def group_label(study: str | None, case_studies: Mapping[str, CaseStudy], first: bool) -> str | None:
    """'Publica Group (starts on page 117):' above a case study's sentences; above the toolkit's own text, unless
    it opens the answer, 'Elsewhere in the toolkit:'."""
    if study is None:
        return None if first else ELSEWHERE
    known = case_studies.get(study)
    page = known.page if known else None
    return f"{study} ({case_study_page_label(page)}):" if page else f"{study}:"
