"""Case studies: the list in the toolkit's order, and one with its full text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.case_studies import summarise
from assistant.http.dependencies import AssistantDep
from assistant.http.schemas import CaseStudyOut, CaseStudySummary, ErrorOut, PassageOut

router = APIRouter(tags=["case studies"])


@router.get("/case-studies")
def case_studies(
    assistant: AssistantDep,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Words to search for: the case studies about them, closest first."),
    ] = None,
) -> list[CaseStudySummary]:
    """Every case study in the toolkit, in the toolkit's order; or, with `q`, those about it, closest first."""
    found = assistant.find_case_studies(q) if q and q.strip() else assistant.case_studies()
    return [CaseStudySummary.from_case_study(study, summary) for study, summary in found]


@router.get("/case-studies/{case_id}", responses={404: {"model": ErrorOut}})
def case_study(case_id: str, assistant: AssistantDep) -> CaseStudyOut:
    """One case study with its full text and passages."""
    detail = assistant.case_study(case_id)
    summary = CaseStudySummary.from_case_study(detail.case_study, summarise(detail.passages, detail.case_study.title))
    passages = [PassageOut.from_passage(p) for p in detail.passages]
    return CaseStudyOut(**summary.model_dump(), text=detail.text, passages=passages)
