"""Compare two evaluation reports question by question."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from evals.report import set_reports


@dataclass(frozen=True)
class Change:
    id: str
    question: str
    before: int | None
    after: int | None
    set: str = ""

    @property
    def better(self) -> bool:
        return (self.after or 99) < (self.before or 99)


def _ranks(section: dict, system: str | None) -> dict[str, tuple[str, int | None]]:
    chosen = next((s for s in section["systems"] if system in (None, s["name"])), section["systems"][0])
    return {q["id"]: (q["question"], q["first_relevant_rank"]) for q in chosen["questions"] if q["answerable"]}


def _load(folder: Path) -> dict[str, dict]:
    return set_reports(json.loads((folder / "report.json").read_text(encoding="utf-8")))


def compare(
    before: Path, after: Path, system: str | None = None, question_set: str | None = None
) -> tuple[list[Change], list[Change]]:
    """Questions whose first relevant rank improved, and those that got worse, in every set both reports hold."""
    old_sets, new_sets = _load(before), _load(after)
    changes = []
    for name in [n for n in old_sets if n in new_sets and question_set in (None, n)]:
        old, new = _ranks(old_sets[name], system), _ranks(new_sets[name], system)
        changes += [
            Change(q, new[q][0], old[q][1], new[q][1], name) for q in sorted(set(old) & set(new)) if old[q][1] != new[q][1]
        ]
    return [c for c in changes if c.better], [c for c in changes if not c.better]
