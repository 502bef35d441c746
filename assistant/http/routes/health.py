"""Health: which corpus is served, from which backend, and whether a newer one could not be."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.http.dependencies import AssistantDep, FollowerDep
from assistant.http.schemas import HealthOut

router = APIRouter(tags=["service"])


@router.get("/health")
def health(assistant: AssistantDep, follower: FollowerDep) -> HealthOut:
    """The index being served: backend, size, model, build and build time; 'degraded' if a newer build is bad."""
    served = follower.served_build()
    return HealthOut.model_validate(
        {
            **assistant.health(),
            **({"status": "degraded", "index_error": follower.error} if follower.error else {}),
            "build": served.name if served else None,
        }
    )
