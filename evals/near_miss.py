"""Near-miss probes: questions written from the topic sheet alone, each labelled in scope or not, scored by status.

    python -m evals.near_miss [evals/probes/near_miss_1.jsonl ...]

An out-of-scope question counts when the answer is not `answered` (partial or not_covered, saying what the toolkit
does not give); an in-scope control counts when it is. The probes carry no evidence, so they measure only that
line, quickly, on questions nobody tuned on before they were written: batches 1 and 2 found the gap rules of
`assistant/question.py` added on 2026-12-05, batch 3 was held out until the first two were done (see its commit),
and batch 4 until the rules from the first three were in; its odd-numbered questions found the next rules.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

PROBES_DIR = Path(__file__).resolve().parent / "probes"


@dataclass(frozen=True)
class Probe:
    id: str
    question: str
    in_scope: bool
    kind: str


@dataclass(frozen=True)
class ProbeScore:
    out_of_scope_not_answered: int
    out_of_scope: int
    controls_answered: int
    controls: int
    missed: tuple[tuple[Probe, str], ...]  # each probe scored wrong, with the status it got


def load_probes(path: Path) -> list[Probe]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Probe(str(r["id"]), str(r["question"]), bool(r["in_scope"]), str(r["kind"])) for r in rows]


def score(probes: Sequence[Probe], status_of: Callable[[str], str]) -> ProbeScore:
    """How many out-of-scope probes are not answered as covered, and how many controls are."""
    missed: list[tuple[Probe, str]] = []
    counts = {True: 0, False: 0}
    for probe in probes:
        status = status_of(probe.question)
        right = (status == "answered") == probe.in_scope
        counts[probe.in_scope] += right
        if not right:
            missed.append((probe, status))
    controls = sum(p.in_scope for p in probes)
    return ProbeScore(counts[False], len(probes) - controls, counts[True], controls, tuple(missed))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=sorted(PROBES_DIR.glob("near_miss_*.jsonl")))
    args = parser.parse_args(argv)
    from assistant.service import build_assistant
    from assistant.settings import get_settings

    assistant = build_assistant(get_settings())
    console = Console()
    for path in args.files:
        result = score(load_probes(path), lambda question: assistant.ask(question).status)
        console.print(
            f"{path.name}: out of scope not answered {result.out_of_scope_not_answered}/{result.out_of_scope}, "
            f"controls answered {result.controls_answered}/{result.controls}"
        )
        for probe, status in result.missed:
            console.print(f"  {probe.id} ({probe.kind}, {status}): {probe.question}", markup=False)


if __name__ == "__main__":
    main()
