"""Browse routes: the toolkit's passages in reading order, for the content team's passage browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.http.dependencies import AssistantDep
from assistant.http.schemas import ErrorOut, PassageOut
from core.models import Filters

router = APIRouter(tags=["browse"])


@router.get("/passages", responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def passages(
    assistant: AssistantDep,
    chapter: Annotated[str | None, Query(description="Only this chapter (title, any case).")] = None,
    case_study: Annotated[str | None, Query(description="Only this case study (title or id, any case).")] = None,
) -> list[PassageOut]:
    """Every passage in the toolkit's reading order, optionally one chapter's or one case study's."""
    # The retriever's own resolution, so an unknown name is a 422 listing the valid ones, as in /search.
    wanted = assistant.retriever.resolve_filters(Filters(chapter, case_study))
    return [PassageOut.from_passage(p) for p in assistant.store.passages() if wanted is None or wanted.admits(p)]
