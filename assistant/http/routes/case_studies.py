"""Case studies: the list in the toolkit's order, and one with its full text."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.case_studies import summarise
from assistant.http.dependencies import AssistantDep
from assistant.http.schemas import CaseStudyOut, CaseStudySummary, ErrorOut, PassageOut

router = APIRouter(tags=["case studies"])


@router.get("/case-studies")
def case_studies(assistant: AssistantDep) -> list[CaseStudySummary]:
    """Every case study in the toolkit, in the toolkit's order."""
    return [CaseStudySummary.from_case_study(study, summary) for study, summary in assistant.case_studies()]


@router.get("/case-studies/{case_id}", responses={404: {"model": ErrorOut}})
def case_study(case_id: str, assistant: AssistantDep) -> CaseStudyOut:
    """One case study with its full text and passages."""
    detail = assistant.case_study(case_id)
    summary = CaseStudySummary.from_case_study(detail.case_study, summarise(detail.passages))
    passages = [PassageOut.from_passage(p) for p in detail.passages]
    return CaseStudyOut(**summary.model_dump(), text=detail.text, passages=passages)
