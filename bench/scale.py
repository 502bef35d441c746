"""Scale: synthetic corpora N× the toolkit, flat FAISS against HNSW, and the ingest's switch between them.

Embedding 100× the toolkit with the real model costs about half an hour of CPU here, far more than a
benchmark run can spend, so by default each synthetic passage's vector is *composed* from real model
vectors the toolkit's ingest already computed: the normalised, length-weighted mean of its header's and its
source sentences' embeddings (the model mean-pools tokens, so this lands close to its own output). A
sample of synthetic passages is also embedded with the model every run: that measures the embedding rate
and how close the composed vectors are (cosine). `--real-vectors` embeds everything instead, cached under
the index directory so it is paid once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from assistant.service import Assistant
from bench.stats import percentile, summarise_ms
from bench.synthetic import SyntheticPassage
from core.embed import Embedder
from stores.files import schema as index_store
from stores.files.read import FileStore
from stores.files.write import write_build as write_index_build

Notify = Callable[[str], None]
Encode = Callable[[list[str]], np.ndarray]
EF_SEARCH_SWEEP = (16, 32, 64, 128, 256)
SHARD = 1024


def toolkit_sentence_vectors(build: Path) -> dict[str, np.ndarray]:
    """The real model's vector for every sentence of a toolkit build, by sentence text."""
    import json

    vectors = np.load(build / "vectors.npy")
    passages = sum(1 for line in (build / "chunks.jsonl").open(encoding="utf-8") if line.strip())
    found: dict[str, np.ndarray] = {}
    with (build / "sentences.jsonl").open(encoding="utf-8") as lines:
        for row, line in enumerate(x for x in lines if x.strip()):
            found.setdefault(json.loads(line)["text"], vectors[passages + row])
    return found


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


def composed_vectors(parts: list[SyntheticPassage], sentences: dict[str, np.ndarray], encode: Encode) -> np.ndarray:
    """Per synthetic passage, the word-weighted mean of its header's and source sentences' real vectors."""
    missing = sorted({s for part in parts for s in part.originals if s not in sentences})
    headers = sorted({part.passage.header() for part in parts})
    known = dict(sentences)
    texts = missing + headers
    if texts:
        known.update(zip(texts, encode(texts)))
    out = np.zeros((len(parts), len(next(iter(known.values())))), dtype=np.float32)
    for i, part in enumerate(parts):
        pieces = [part.passage.header(), *part.originals]
        weights = np.array([max(1, len(p.split())) for p in pieces], dtype=np.float32)
        out[i] = _unit((np.vstack([known[p] for p in pieces]) * weights[:, None]).sum(axis=0))
    return out


def fidelity(composed: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """How close composed vectors are to the model's own (cosine of unit vectors)."""
    cosines = (composed * real).sum(axis=1).tolist()
    return {
        "mean_cosine": round(float(np.mean(cosines)), 4),
        "p5_cosine": round(percentile(cosines, 5), 4),
        "n": len(cosines),
    }


def embed_rate(embedder: Embedder, parts: list[SyntheticPassage]) -> tuple[np.ndarray, dict[str, object]]:
    """The model's own vectors for `parts` and its rate: passages alone, then passages with their sentences
    as the ingest embeds them (one vector per passage plus one per sentence)."""
    texts = [p.passage.indexed_text() for p in parts]
    started = time.perf_counter()
    vectors = embedder.encode(texts)
    passages_s = time.perf_counter() - started
    sentences = [s for p in parts for s in p.sentences]
    started = time.perf_counter()
    embedder.encode(sentences)
    sentences_s = time.perf_counter() - started
    return vectors, {
        "passages": len(texts),
        "sentences": len(sentences),
        "passages_s": round(passages_s, 2),
        "sentences_s": round(sentences_s, 2),
        "passages_per_s": round(len(texts) / passages_s, 2),
        "pipeline_passages_per_s": round(len(texts) / (passages_s + sentences_s), 2),
    }


class EmbeddingCache:
    """Real vectors by sha1(model, text) in .npz shards (used by --real-vectors)."""

    def __init__(self, directory: Path, model: str) -> None:
        self.directory = directory / hashlib.sha1(model.encode()).hexdigest()[:12]
        self.directory.mkdir(parents=True, exist_ok=True)
        self.model = model
        self.vectors: dict[str, np.ndarray] = {}
        for shard in sorted(self.directory.glob("shard-*.npz")):
            try:
                with np.load(shard) as data:
                    self.vectors.update(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):
                shard.unlink(missing_ok=True)  # a shard cut short by an interrupted run

    def key(self, text: str) -> str:
        return hashlib.sha1(f"{self.model}\x00{text}".encode()).hexdigest()

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        name = f"shard-{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns() % 10**9}.npz"
        tmp = self.directory / f".{name}"
        with tmp.open("wb") as out:
            np.savez(out, keys=np.array(keys), vectors=vectors)
        tmp.rename(self.directory / name)
        self.vectors.update(zip(keys, vectors))


def embed_cached(
    embedder: Embedder, texts: list[str], cache: EmbeddingCache, notify: Notify
) -> tuple[np.ndarray, dict[str, object]]:
    """Real vectors for every text, embedding (and caching) only those no earlier run embedded."""
    keys = [cache.key(t) for t in texts]
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key not in cache.vectors:
            first.setdefault(key, i)
    missing = list(first.values())
    started = time.perf_counter()
    for begin in range(0, len(missing), SHARD):
        chunk = missing[begin : begin + SHARD]
        notify(f"embedding synthetic passages: {begin:,}/{len(missing):,} not cached yet")
        cache.add([keys[i] for i in chunk], embedder.encode([texts[i] for i in chunk]))
    matrix = np.vstack([cache.vectors[k] for k in keys]).astype(np.float32)
    return matrix, {"embedded_now": len(missing), "embedded_now_s": round(time.perf_counter() - started, 2)}


@contextmanager
def faiss_threads(count: int) -> Iterator[None]:
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def search_times(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[list[float], np.ndarray]:
    """Per-query seconds (one query at a time, as the service asks) and the ids found."""
    samples, found = [], []
    for query in queries:
        started = time.perf_counter()
        _, ids = index.search(query.reshape(1, -1), k)
        samples.append(time.perf_counter() - started)
        found.append(ids[0])
    return samples, np.vstack(found)


def recall(approx: np.ndarray, exact: np.ndarray, k: int) -> float:
    """Mean share of the exact top-k that the approximate top-k also found."""
    hits = [len(set(a[:k].tolist()) & set(e[:k].tolist())) / k for a, e in zip(approx, exact)]
    return round(float(np.mean(hits)), 4)


def timed_index(
    vectors: np.ndarray, kind: str, ef_search: int = index_store.PASSAGE_EF_SEARCH
) -> tuple[faiss.Index, float]:
    started = time.perf_counter()
    index = index_store.dense_index(vectors, kind, ef_search)
    return index, time.perf_counter() - started


def write_build(
    parts: list[SyntheticPassage], vectors: np.ndarray, sentence_vectors: np.ndarray, build_dir: Path
) -> float:
    """Seconds for the ingest's write step (chunks, sentences, vectors, BM25, flat FAISS, JSON)."""
    build_dir.mkdir(parents=True)
    passages = [p.passage for p in parts]
    sentences = [(p.passage.id, s) for p in parts for s in p.sentences]
    matrix = np.vstack([vectors, sentence_vectors]).astype(np.float32)
    started = time.perf_counter()
    manifest: dict[str, object] = {"model": "synthetic", "counts": {"passages": len(passages)}}
    write_index_build(build_dir, passages, [], matrix, [""] * len(matrix), sentences, manifest, {}, "flat")
    return time.perf_counter() - started


def end_to_end(
    build_dir: Path, queries: list[str], encode: Callable[[str], np.ndarray], profile_top: int = 0
) -> dict[str, object]:
    """Assistant.search over a build, timed on a second pass once every query vector is cached:
    the cost that grows with the corpus (the model's forward pass does not)."""
    started = time.perf_counter()
    assistant = Assistant(FileStore(build_dir), encode)
    load_s = time.perf_counter() - started
    for query in queries:
        assistant.search(query)
    result: dict[str, object] = {
        "load_s": round(load_s, 2),
        "search": summarise_ms(_timed_searches(assistant, queries)),
    }
    with faiss_threads(1):
        result["search_one_faiss_thread"] = summarise_ms(_timed_searches(assistant, queries))
    if profile_top:
        result["profile"] = _cprofile(lambda: [assistant.search(q) for q in queries], profile_top)
    return result


def _timed_searches(assistant: Assistant, queries: list[str]) -> list[float]:
    samples = []
    for query in queries:
        begun = time.perf_counter()
        assistant.search(query)
        samples.append(time.perf_counter() - begun)
    return samples


def _cprofile(call: Callable[[], object], top: int) -> list[dict[str, object]]:
    """Functions by own time (cProfile) over one more pass: where the corpus-size cost lives."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(call)
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]  # type: ignore[attr-defined]
    return [
        {
            "function": f"{name} ({_short(file)}:{line})",
            "own_s": round(tt, 3),
            "share": round(tt / total, 3),
            "calls": nc,
        }
        for (file, line, name), (_cc, nc, tt, _ct, _callers) in rows
    ]


def _short(file: str) -> str:
    for marker in ("site-packages/", f"{Path(__file__).resolve().parents[1]}/", "lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return os.path.basename(file)


def hnsw_copy(flat_build: Path, hnsw: faiss.Index, target: Path) -> Path:
    """The same build as one above the switch: HNSW passage and sentence indexes (the files FileStore reads)."""
    shutil.copytree(
        flat_build, target, ignore=shutil.ignore_patterns("dense.faiss", "manifest.json"), copy_function=os.link
    )
    faiss.write_index(hnsw, str(target / "dense.faiss"))
    texts = [
        json.loads(line)["text"] for line in (flat_build / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    passages = hnsw.ntotal
    sentence_vectors = np.load(flat_build / "vectors.npy", mmap_mode="r")[passages:]
    sentence_index = index_store.sentence_dense_index(np.ascontiguousarray(sentence_vectors), texts, "hnsw")
    faiss.write_index(sentence_index, str(target / index_store.SENTENCE_INDEX))
    manifest = index_store.read_manifest(flat_build)
    manifest["dense_index"] = manifest["sentence_index"] = "hnsw"
    manifest["checksums"] = index_store.file_checksums(target)  # the swapped file is the build's own now
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return target


def scale_point(
    parts: list[SyntheticPassage], vectors: np.ndarray, sentences: dict[str, np.ndarray], queries: list[str],
    query_vectors: np.ndarray, work: Path, candidates: int, encode: Callable[[str], np.ndarray] | None, profile_top: int,
) -> dict[str, object]:  # fmt: skip
    """Everything measured at one corpus size."""
    n = len(parts)
    flat, flat_build_s = timed_index(vectors, "flat")
    hnsw, hnsw_build_s = timed_index(vectors, "hnsw")
    assert isinstance(hnsw, faiss.IndexHNSWFlat)
    point: dict[str, object] = {
        "passages": n,
        "flat_build_s": round(flat_build_s, 2),
        "hnsw_build_s": round(hnsw_build_s, 2),
    }
    for k in (10, candidates):
        flat_t, exact = search_times(flat, query_vectors, k)
        hnsw_t, approx = search_times(hnsw, query_vectors, k)
        point[f"k{k}"] = {
            "flat": summarise_ms(flat_t),
            "hnsw": summarise_ms(hnsw_t),
            "hnsw_recall": recall(approx, exact, k),
        }
    _, exact10 = search_times(flat, query_vectors, 10)
    sweep = []
    for ef in EF_SEARCH_SWEEP:
        hnsw.hnsw.efSearch = ef
        times, approx = search_times(hnsw, query_vectors, 10)
        sweep.append(
            {"ef_search": ef, "p50_ms": summarise_ms(times)["p50_ms"], "recall_at_10": recall(approx, exact10, 10)}
        )
    hnsw.hnsw.efSearch = index_store.PASSAGE_EF_SEARCH  # what the ingest writes
    point["ef_search_sweep"] = sweep
    point["ef_search"] = index_store.PASSAGE_EF_SEARCH
    # FileStore keeps every sentence in a flat index whatever the passage index is, and searches it per query.
    sentence_vectors = np.vstack([sentences[s] for p in parts for s in p.originals]).astype(np.float32)
    sentence_index = faiss.IndexFlatIP(sentence_vectors.shape[1])
    sentence_index.add(sentence_vectors)
    sentence_k = min(len(sentence_vectors), candidates * 4)
    times, exact_sentences = search_times(sentence_index, query_vectors, sentence_k)
    point["sentence_flat"] = {"rows": len(sentence_vectors), **summarise_ms(times)}
    # What a build above the switch ships instead (sentences.faiss: each distinct sentence once), against exact
    # search over the same distinct sentences. The synthetic corpora re-use every sentence vector many times.
    texts = [s for p in parts for s in p.originals]
    distinct_vectors = sentence_vectors[index_store.distinct_sentence_rows(texts)]
    exact_distinct = faiss.IndexFlatIP(distinct_vectors.shape[1])
    exact_distinct.add(distinct_vectors)
    distinct_k = min(len(distinct_vectors), candidates * 4)
    _, exact_sentences = search_times(exact_distinct, query_vectors, distinct_k)
    started = time.perf_counter()
    sentence_hnsw = index_store.sentence_dense_index(sentence_vectors, texts, "hnsw")
    sentence_hnsw_s = time.perf_counter() - started
    times, approx_sentences = search_times(sentence_hnsw, query_vectors, distinct_k)
    point["sentence_hnsw"] = {
        "distinct": len(distinct_vectors),
        "build_s": round(sentence_hnsw_s, 2),
        **summarise_ms(times),
        "recall": recall(approx_sentences, exact_sentences, distinct_k),
    }
    del exact_distinct, sentence_hnsw
    # FAISS's default OpenMP threads against one: on a busy 2-core machine its parallel flat scan can be far slower.
    with faiss_threads(1):
        flat_t, _ = search_times(flat, query_vectors, candidates)
        sentence_t, _ = search_times(sentence_index, query_vectors, min(len(sentence_vectors), candidates * 4))
    point["one_faiss_thread"] = {"flat": summarise_ms(flat_t), "sentence_flat": summarise_ms(sentence_t)}
    point["faiss_default_threads"] = faiss.omp_get_max_threads()
    del sentence_index
    flat_dir = work / f"flat-{n}"
    point["write_build_s"] = round(write_build(parts, vectors, sentence_vectors, flat_dir), 2)
    if encode is not None:
        point["assistant_flat"] = end_to_end(flat_dir, queries, encode, profile_top)
        hnsw_dir = hnsw_copy(flat_dir, hnsw, work / f"hnsw-{n}")
        point["assistant_hnsw"] = end_to_end(hnsw_dir, queries, encode)
    shutil.rmtree(work / f"hnsw-{n}", ignore_errors=True)
    shutil.rmtree(flat_dir, ignore_errors=True)
    return point
