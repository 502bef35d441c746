"""Feedback: anyone records a thumbs up or down; admins list and export it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from assistant.feedback import to_csv
from assistant.http.dependencies import AdminDep, FeedbackDep
from assistant.http.errors import ADMIN_RESPONSES
from assistant.http.schemas import FeedbackCreated, FeedbackIn, FeedbackOut

router = APIRouter(tags=["feedback"])


@router.post("/feedback", status_code=status.HTTP_201_CREATED)
def add_feedback(body: FeedbackIn, store: FeedbackDep) -> FeedbackCreated:
    """Record a thumbs up or down on an answer."""
    entry = store.add(
        question=body.question,
        answer=body.answer,
        rating=body.rating,
        reason=body.reason,
        comment=body.comment,
        passage_ids=body.passage_ids,
    )
    return FeedbackCreated(id=entry.id, created_at=entry.created_at)


@router.get("/feedback", dependencies=[AdminDep], responses=ADMIN_RESPONSES)
def list_feedback(
    store: FeedbackDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[FeedbackOut]:
    """Stored feedback, newest first (admin token required)."""
    return [FeedbackOut.from_entry(e) for e in store.entries(limit, offset)]


@router.get(
    "/feedback.csv",
    dependencies=[AdminDep],
    responses={**ADMIN_RESPONSES, 200: {"content": {"text/csv": {}}}},
    response_class=Response,
)
def export_feedback(store: FeedbackDep) -> Response:
    """All stored feedback as CSV, oldest first (admin token required)."""
    return Response(
        to_csv(store.entries(newest_first=False)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="feedback.csv"'},
    )
