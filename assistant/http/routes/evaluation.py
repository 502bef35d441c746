"""Evaluations from the content team's page (admin token): start one, follow it, read the newest report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, status

from assistant.http.dependencies import AdminDep, EvaluatorDep
from assistant.http.errors import ADMIN_RESPONSES
from assistant.http.evaluation import latest_report, read_report
from assistant.http.schemas import ErrorOut, EvaluationIn, EvaluationOut, EvaluationReportOut

router = APIRouter(tags=["admin"], dependencies=[AdminDep])


@router.post(
    "/admin/evaluation",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**ADMIN_RESPONSES, 409: {"model": ErrorOut}},
)
def start_evaluation(
    evaluator: EvaluatorDep, body: Annotated[EvaluationIn | None, Body()] = None
) -> EvaluationOut:
    """Run `localities eval` on the served index in the background: the curated and/or blind questions of one
    split, without the baselines unless asked. One at a time; GET /admin/evaluation follows it."""
    body = body or EvaluationIn()
    if not evaluator.start(body.question_set, body.split, body.baselines):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "An evaluation is already running; GET /admin/evaluation follows it. Start another when it has finished.",
        )
    return EvaluationOut.from_status(evaluator.status)


@router.get("/admin/evaluation", responses=ADMIN_RESPONSES)
def evaluation_status(evaluator: EvaluatorDep) -> EvaluationOut:
    """The latest evaluation started by the worker that answers: its state, progress and the report it wrote."""
    return EvaluationOut.from_status(evaluator.status)


@router.get("/admin/evaluation/report", responses={**ADMIN_RESPONSES, 404: {"model": ErrorOut}})
def newest_report(evaluator: EvaluatorDep) -> EvaluationReportOut:
    """The newest evaluation report in LOCALITIES_EVAL_REPORTS_DIR (from the page or from `localities eval`)."""
    folder = latest_report(evaluator.settings.eval_reports_dir)
    if folder is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No evaluation has been run yet: POST /admin/evaluation runs one.")
    return EvaluationReportOut(name=folder.name, report=read_report(folder))
