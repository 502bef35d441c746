"""The curated question set and chunker-independent relevance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.text import normalise

DEFAULT_SET = Path(__file__).resolve().parent / "questions.jsonl"
KINDS = ("fact", "case_study", "paraphrase", "follow_up", "misspelled", "out_of_scope")
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


def is_relevant(passage_text: str, evidence: list[str]) -> bool:
    """A passage is relevant when it contains one of the evidence spans (normalised)."""
    text = normalise(passage_text)
    return any(normalise(span) in text for span in evidence)


def evidence_found(passage_texts: list[str], evidence: list[str]) -> float:
    """Share of evidence spans that appear in at least one of the passages."""
    if not evidence:
        return 0.0
    texts = [normalise(t) for t in passage_texts]
    return sum(any(normalise(span) in t for t in texts) for span in evidence) / len(evidence)


def facts_found(answer: str, facts: list[str]) -> float:
    """Share of answer facts that the answer text contains (normalised)."""
    if not facts:
        return 0.0
    text = normalise(answer)
    return sum(normalise(fact) in text for fact in facts) / len(facts)
