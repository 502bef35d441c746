"""Compare two evaluation reports question by question."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Change:
    id: str
    question: str
    before: int | None
    after: int | None

    @property
    def better(self) -> bool:
        return (self.after or 99) < (self.before or 99)


def _ranks(report: dict, system: str | None) -> dict[str, tuple[str, int | None]]:
    chosen = next((s for s in report["systems"] if system in (None, s["name"])), report["systems"][0])
    return {q["id"]: (q["question"], q["first_relevant_rank"]) for q in chosen["questions"] if q["answerable"]}


def compare(before: Path, after: Path, system: str | None = None) -> tuple[list[Change], list[Change]]:
    """Questions whose first relevant rank improved, and those that got worse."""
    old = _ranks(json.loads((before / "report.json").read_text(encoding="utf-8")), system)
    new = _ranks(json.loads((after / "report.json").read_text(encoding="utf-8")), system)
    changes = [Change(q, new[q][0], old[q][1], new[q][1]) for q in sorted(set(old) & set(new)) if old[q][1] != new[q][1]]
    return [c for c in changes if c.better], [c for c in changes if not c.better]
