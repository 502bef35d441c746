"""Re-indexing: re-ingest the corpus folder into the configured store in the background (admin token)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from assistant.http.dependencies import AdminDep, ReindexerDep
from assistant.http.errors import ADMIN_RESPONSES
from assistant.http.schemas import ErrorOut, ReindexOut

router = APIRouter(tags=["admin"], dependencies=[AdminDep])


@router.post("/admin/reindex", status_code=status.HTTP_202_ACCEPTED, responses={**ADMIN_RESPONSES, 409: {"model": ErrorOut}})
def reindex(reindexer: ReindexerDep, force: bool = False) -> ReindexOut:
    """Re-ingest the corpus folder in the background and serve the new corpus once it is written (admin token).

    Requests keep being answered from the current corpus until the swap. `force` rewrites an unchanged corpus.
    """
    if not reindexer.start(force=force):
        started = ReindexOut.from_status(reindexer.status).started_at
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"A re-index is already running (started {started}); GET /admin/reindex follows it.",
        )
    return ReindexOut.from_status(reindexer.status)


@router.get("/admin/reindex", responses=ADMIN_RESPONSES)
def reindex_status(reindexer: ReindexerDep) -> ReindexOut:
    """The latest re-index run of the worker that answers (admin token required)."""
    return ReindexOut.from_status(reindexer.status)
