"""Evaluation history in PostgreSQL: one row per system per evaluation run, for trends across deployments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from stores.postgres import schema as db


@dataclass(frozen=True)
class EvalRun:
    """One system's summary from one evaluation run."""

    id: int
    created_at: datetime
    split: str
    system: str
    summary: dict[str, float]
    meta: dict[str, Any]


def record_evaluation(database_url: str, report: Mapping[str, Any], created_at: datetime | None = None) -> list[int]:
    """Append an evaluation report (the shape `evals.runner.report_dict` returns) to `eval_runs`.

    Args:
        database_url: a `postgresql://…` URL; the schema is migrated first.
        report: {"meta": {...split...}, "systems": [{"name", "summary", ...}, ...]}.
        created_at: when the run happened (default: now).

    Returns:
        The ids of the rows written, one per system.
    """
    meta = dict(report.get("meta") or {})
    rows = [
        {
            "created_at": created_at or datetime.now(UTC),
            "split": str(meta.get("split", "all")),
            "system": str(system["name"]),
            "summary": dict(system["summary"]),
            "meta": meta,
        }
        for system in report.get("systems", [])
    ]
    if not rows:
        return []
    engine = db.engine_for(database_url)
    try:
        db.migrate(engine)
        with engine.begin() as connection:
            return [int(i) for i in connection.scalars(insert(db.eval_runs).returning(db.eval_runs.c.id), rows)]
    finally:
        engine.dispose()


def evaluation_history(database_url: str, system: str | None = None, limit: int = 100) -> list[EvalRun]:
    """The latest recorded runs, newest first (optionally one system's)."""
    engine = db.engine_for(database_url)
    try:
        query = select(db.eval_runs).order_by(db.eval_runs.c.created_at.desc(), db.eval_runs.c.id.desc()).limit(limit)
        if system is not None:
            query = query.where(db.eval_runs.c.system == system)
        with engine.connect() as connection:
            return [
                EvalRun(int(r.id), r.created_at, r.split, r.system, dict(r.summary), dict(r.meta))
                for r in connection.execute(query)
            ]
    finally:
        engine.dispose()
