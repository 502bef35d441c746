"""Questions written for passages in users' words (corpus/passage_questions.jsonl), searched beside the passages.

A councillor asks 'why should our little district bother working beyond its patch?'; the toolkit says 'cooperate
with neighbours beyond their boundaries'. Written questions for a passage ('doc2query', written here by hand from
each passage alone, never from an evaluation question) put the users' words next to the toolkit's: a question is
matched to the questions written for a passage, by meaning and by words, as well as to the passage itself.

Each entry names its passage by the passage's opening words (whitespace collapsed) and page, so it survives a
re-ingest that leaves the passage's text alone; an entry whose passage has gone is reported, not guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from core.models import Passage
from core.text import collapse_ws

FILE_NAME = "passage_questions.jsonl"


@dataclass(frozen=True)
class WrittenQuestions:
    anchor: str  # the passage's opening words, whitespace collapsed
    page: int | None  # tells apart passages that open alike
    questions: tuple[str, ...]


def opening(text: str, length: int) -> str:
    """A text's first `length` characters with its whitespace collapsed, as anchors are written."""
    return collapse_ws(text)[:length]


def load_written_questions(corpus_dir: Path) -> list[WrittenQuestions]:
    """The corpus's written questions, or none where it has no file."""
    path = corpus_dir / FILE_NAME
    if not path.is_file():
        return []
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [WrittenQuestions(e["anchor"], e.get("page"), tuple(e["questions"])) for e in entries]


def attach(
    entries: Iterable[WrittenQuestions], passages: Sequence[Passage]
) -> tuple[list[tuple[str, str]], list[WrittenQuestions]]:
    """(passage id, question) for every question whose passage is there, and the entries whose passage is not.

    A passage is the one whose text opens with the entry's anchor; of several, the one on the entry's page.
    """
    pairs: list[tuple[str, str]] = []
    lost: list[WrittenQuestions] = []
    # Each passage's text collapsed once (`opening` is a prefix of it), not once per entry: 2 s at every start.
    collapsed = [(p, collapse_ws(p.text)) for p in passages]
    for entry in entries:
        opens = [p for p, text in collapsed if text[: len(entry.anchor)] == entry.anchor]
        if len(opens) > 1:
            opens = [p for p in opens if p.page == entry.page]
        if len(opens) != 1:
            lost.append(entry)
            continue
        pairs += [(opens[0].id, question) for question in entry.questions]
    return pairs, lost


class QuestionIndex:
    """The written questions of one store's passages: their vectors, and a BM25 index of each passage's questions
    together."""

    def __init__(self, pairs: Sequence[tuple[str, str]], vectors: np.ndarray, tokens: Callable[[str], list[str]]) -> None:
        self.passage_ids = list(dict.fromkeys(passage_id for passage_id, _ in pairs))
        column = {passage_id: n for n, passage_id in enumerate(self.passage_ids)}
        owner = np.array([column[passage_id] for passage_id, _ in pairs], dtype=np.int64)
        # Each passage's questions in one run, in column order, so a passage's best is one segmented maximum, not an
        # unbuffered scatter (`np.maximum.at`). Under load the product before it was the cost: see `model_encoder`'s
        # BLAS threads.
        order = np.argsort(owner, kind="stable")
        self._vectors = vectors[order] if len(order) else vectors
        self._starts = np.flatnonzero(np.r_[True, np.diff(owner[order]) != 0]) if len(order) else np.zeros(0, np.int64)
        self._tokens = tokens
        joined: dict[str, list[str]] = {passage_id: [] for passage_id in self.passage_ids}
        for passage_id, question in pairs:
            joined[passage_id].append(question)
        self._bm25 = bm25s.BM25()
        if self.passage_ids:
            self._bm25.index([tokens(" ".join(joined[i])) for i in self.passage_ids], show_progress=False)

    def __len__(self) -> int:
        return len(self.passage_ids)

    def closeness(self, vector: np.ndarray) -> dict[str, float]:
        """Per passage with written questions, the cosine of the closest one to `vector`."""
        if not self.passage_ids:
            return {}
        best = np.maximum.reduceat(self._vectors @ vector, self._starts)
        return dict(zip(self.passage_ids, best.tolist()))

    def by_meaning(self, vector: np.ndarray, k: int, allowed: Collection[str] | None = None) -> list[str]:
        """Passages ranked by their closest written question, best k."""
        close = self.closeness(vector)
        ranked = sorted((i for i in close if allowed is None or i in allowed), key=lambda i: -close[i])
        return ranked[:k]

    def by_words(self, text: str, k: int, allowed: Collection[str] | None = None) -> list[str]:
        """Passages ranked by BM25 of `text`'s words over their written questions, best k that share any."""
        known = [t for t in self._tokens(text) if t in self._bm25.vocab_dict] if self.passage_ids else []
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        ranked = [self.passage_ids[j] for j in np.argsort(-scores, kind="stable") if scores[j] > 0]
        return [i for i in ranked if allowed is None or i in allowed][:k]
