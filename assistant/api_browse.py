"""Browse routes: the toolkit's passages in reading order, for the content team's passage browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from assistant.retrieval import Filters
from assistant.schemas import ErrorOut, PassageOut
from assistant.service import Assistant

router = APIRouter(tags=["browse"])


def _assistant(request: Request) -> Assistant:
    """The same assistant (and lazy start) as the main routes; imported late because api.py imports this module."""
    from assistant.api import _assistant as serving

    return serving(request)


@router.get("/passages", responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def passages(
    assistant: Annotated[Assistant, Depends(_assistant)],
    chapter: Annotated[str | None, Query(description="Only this chapter (title, any case).")] = None,
    case_study: Annotated[str | None, Query(description="Only this case study (title or id, any case).")] = None,
) -> list[PassageOut]:
    """Every passage in the toolkit's reading order, optionally one chapter's or one case study's."""
    # The retriever's own resolution, so an unknown name is a 422 listing the valid ones, as in /search.
    wanted = assistant.retriever.resolve_filters(Filters(chapter, case_study))
    return [
        PassageOut.from_passage(p)
        for p in assistant.store.passages()
        if wanted is None
        or (
            (not wanted.chapter or p.chapter == wanted.chapter)
            and (not wanted.case_study or p.case_study == wanted.case_study)
        )
    ]
