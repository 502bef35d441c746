"""The question sets (curated and blind) and chunker-independent relevance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.text import normalise

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_SET = EVALS_DIR / "questions.jsonl"
BLIND_SET = EVALS_DIR / "questions_blind.jsonl"
# curated: written with the passages in view; blind: written from the topic sheet alone (evals/README.md).
SETS = {"curated": DEFAULT_SET, "blind": BLIND_SET}
KINDS = ("fact", "case_study", "paraphrase", "follow_up", "misspelled", "out_of_scope")
# topic_change: a question asked after an unrelated conversation, which must be searched as itself.
BLIND_KINDS = (*KINDS, "compound", "topic_change")
PERSONAS = ("councillor", "officer", "content_team")


@dataclass(frozen=True)
class Question:
    """One curated question with the toolkit's words that answer it."""

    id: str
    split: str
    persona: str
    kind: str
    question: str
    history: list[dict[str, str]] = field(default_factory=list)
    answerable: bool = True
    evidence: list[str] = field(default_factory=list)
    case_study: str | None = None
    answer_facts: list[str] = field(default_factory=list)
    # A compound question's asks, each {"ask", "evidence", "answer_facts"}; evidence above is their union.
    parts: list[dict[str, Any]] = field(default_factory=list)
    # What the split keeps together: a case study's title or a chapter › section; out of scope: its theme.
    topic: str | None = None
    # Out of scope but close to what the toolkit covers (a later event, a local figure, a procedure, …).
    near_miss: bool = False

    @property
    def standalone(self) -> bool:
        """Asked on its own: no earlier turns to lean on."""
        return not self.history

    def asks(self) -> list[tuple[list[str], list[str]]]:
        """(evidence, answer facts) per ask: a compound question's parts, else the question as one ask."""
        if self.parts:
            return [(list(p.get("evidence", [])), list(p.get("answer_facts", []))) for p in self.parts]
        return [(self.evidence, self.answer_facts)]


def load_questions(path: Path = DEFAULT_SET, split: str | None = None) -> list[Question]:
    """Questions from a JSONL file, optionally one split ('dev' or 'test')."""
    questions = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                questions.append(Question(**json.loads(line)))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{number}: not a valid question ({exc})") from exc
    return [q for q in questions if split in (None, "all") or q.split == split]


def resolve_sets(choice: str) -> dict[str, Path]:
    """`curated`, `blind`, `all` (both), or the path of a JSONL file of one's own."""
    if choice == "all":
        return dict(SETS)
    if choice in SETS:
        return {choice: SETS[choice]}
    path = Path(choice)
    if path.is_file():
        return {path.stem: path}
    raise ValueError(f"--set must be curated, blind, all or a JSONL file; got {choice!r}")


# The same few hundred passages and spans are compared again and again (every question against every candidate).
_comparable = lru_cache(maxsize=8192)(normalise)


def is_relevant(passage_text: str, evidence: list[str]) -> bool:
    """A passage is relevant when it contains one of the evidence spans (normalised)."""
    text = _comparable(passage_text)
    return any(_comparable(span) in text for span in evidence)


def evidence_found(passage_texts: list[str], evidence: list[str]) -> float:
    """Share of evidence spans that appear in at least one of the passages."""
    if not evidence:
        return 0.0
    texts = [_comparable(t) for t in passage_texts]
    return sum(any(_comparable(span) in t for t in texts) for span in evidence) / len(evidence)


def facts_found(answer: str, facts: list[str]) -> float:
    """Share of answer facts that the answer text contains (normalised)."""
    if not facts:
        return 0.0
    text = normalise(answer)
    return sum(normalise(fact) in text for fact in facts) / len(facts)
