"""The in-process sections of a run: the library's own latency, and the synthetic-corpus scale study."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from bench import scale as scale_study
from bench.inprocess import library_latency
from bench.plan import Plan
from bench.queries import RequestStream
from bench.synthetic import exact_duplicates, synthesize_parts

if TYPE_CHECKING:
    from bench.run import Setup

Log = Callable[[str], None]
# The ingest embeds with torch's default thread count; the query encoder pins it to one thread per process.
DEFAULT_TORCH_THREADS = torch.get_num_threads()
PROFILE_TOP = 12


def library(plan: Plan, setup: Setup, index_dir: Path, questions: list[str], log: Log) -> dict[str, Any]:
    """Assistant.search / Assistant.ask in this process over the served index."""
    assistant = setup.assistant
    if assistant is None:
        from assistant.service import build_assistant
        from assistant.settings import Settings

        settings = Settings(index_dir=index_dir, corpus_dir=setup.corpus_dir, data_dir=setup.work_dir / "data")
        assistant = build_assistant(settings)
    log(f"library latency: {plan.rounds} rounds of {plan.latency_queries} searches and asks")
    stream = RequestStream(questions)
    stream.take(5)  # the first calls pay one-off costs (lazy imports, allocator warm-up)
    for query in stream.take(5):
        assistant.ask(query)
    rounds = [(stream.take(plan.latency_queries), stream.take(plan.latency_queries)) for _ in range(plan.rounds)]
    return library_latency(assistant, rounds)


def memoised(encode: Callable[[list[str]], np.ndarray]) -> Callable[[str], np.ndarray]:
    """One query vector per text for the whole scale study, shared by every synthetic build."""
    cache: dict[str, np.ndarray] = {}

    def one(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = encode([text])[0]
        return cache[text]

    return one


def threshold_source() -> dict[str, object]:
    """Where the ingest's flat/HNSW switch is set, and its value."""
    from stores.files import schema as index_store

    path = Path(index_store.__file__)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(r"HNSW_THRESHOLD\s*=", line):
            return {"value": index_store.HNSW_THRESHOLD, "where": f"ingest/index_store.py:{number}"}
    return {"value": index_store.HNSW_THRESHOLD, "where": "ingest/index_store.py"}


def scale(plan: Plan, setup: Setup, index_dir: Path, questions: list[str], log: Log) -> dict[str, Any]:
    """Synthetic corpora at each planned size: ingest throughput, flat vs HNSW latency and recall."""
    from assistant.encoding import settings_embedder
    from assistant.params import RetrievalParams
    from assistant.settings import load_settings
    from core.embed import Embedder
    from stores.files import schema as index_store

    torch.set_num_threads(DEFAULT_TORCH_THREADS)
    build = index_store.current_build_path(index_dir)
    assert build is not None, f"no index at {index_dir}"
    passages = index_store.load_passages(build)
    sentences = scale_study.toolkit_sentence_vectors(build)
    # The encoder the ingest uses (ONNX Runtime unless the settings say torch), as the ingest configures it.
    embedder = setup.embedder or settings_embedder(load_settings(), setup.model)
    counts = [max(2, round(s * len(passages))) for s in plan.scales]
    parts = synthesize_parts(passages, max(counts))
    log(f"scale: embedding {plan.embed_sample} fresh synthetic passages and their sentences (rate, fidelity)")
    sample = parts[-plan.embed_sample :]
    real_sample, rate = scale_study.embed_rate(embedder, sample)
    rate["encoder"] = getattr(embedder, "backend", "") or "session embedder"
    torch_rate = None
    if setup.embedder is None:  # the same sample on the torch path: what the ONNX encoder changed for ingest
        log("scale: the same sample on the torch path, for comparison")
        torch_rate = scale_study.embed_rate(Embedder(setup.model, encoder="torch"), sample)[1]
    composed = scale_study.composed_vectors(parts, sentences, embedder.encode)
    if setup.real_vectors:
        cache = scale_study.EmbeddingCache(setup.cache_dir, setup.model)
        texts = [p.passage.indexed_text() for p in parts]
        vectors, vector_info = scale_study.embed_cached(embedder, texts, cache, log)
        vector_info["source"] = "model (cached)"
    else:
        vectors, vector_info = composed, {"source": "composed from the toolkit's real sentence vectors"}
    vector_info["fidelity"] = scale_study.fidelity(composed[-plan.embed_sample :], real_sample)
    queries = questions[: plan.scale_queries]
    query_vectors = embedder.encode(queries)
    encode = memoised(embedder.encode) if plan.e2e_queries else None
    candidates = RetrievalParams().candidates
    points = []
    for factor, n in zip(plan.scales, counts):
        log(f"scale {factor}×: {n:,} passages, flat vs HNSW")
        largest = n == max(counts)
        point = scale_study.scale_point(
            parts[:n], vectors[:n], sentences, queries[: plan.e2e_queries] if encode else queries, query_vectors,
            setup.work_dir / "scale", candidates, encode, PROFILE_TOP if largest else 0,
        )  # fmt: skip
        embed_s = n / float(rate["pipeline_passages_per_s"])  # type: ignore[arg-type]
        write_s = float(point["write_build_s"])  # type: ignore[arg-type]
        point.update(
            scale=factor,
            exact_duplicates=exact_duplicates([p.passage for p in parts[:n]]),
            ingest={
                "embed_s": round(embed_s, 1),
                "write_build_s": write_s,
                "passages_per_s": round(n / (embed_s + write_s), 2),
            },
        )
        points.append(point)
    return {
        "toolkit_passages": len(passages),
        "candidates": candidates,
        "embed_rate": rate,
        "embed_rate_torch": torch_rate,
        "embed_threads": torch.get_num_threads(),
        "vectors": vector_info,
        "points": points,
        "threshold": threshold_source(),
    }
