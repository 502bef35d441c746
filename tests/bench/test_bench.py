"""The benchmark machinery end to end in its tiny plan: a few seconds of load, two clients, the session index.

Timings depend on the machine, so nothing here asserts them; only that every section is produced and rendered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.http.app import create_app
from bench import langchain_app, profiling, report, retrieval
from bench.plan import TINY
from bench.queries import RequestStream, unique_count, variants
from bench.run import Setup, run, write
from bench.server import Server, ThreadServer
from bench.stats import percentile, ratio
from bench.synthetic import exact_duplicates, synthesize
from core.openvino_encoder import bf16_units


@pytest.fixture()
def tiny_corpus(tmp_path: Path, toolkit_text: str) -> Path:
    """A two-section Markdown corpus cut from the toolkit: a cold ingest of it takes seconds."""
    paragraphs = [p for p in toolkit_text.split("\n\n") if len(p.split()) > 60][:6]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "# Tiny toolkit\n\n" + "\n\n".join(paragraphs[:3]) + "\n\n# More\n\n" + "\n\n".join(paragraphs[3:])
    (corpus / "tiny.md").write_text(text, encoding="utf-8")
    return corpus


class SessionEmbeddings(Embeddings):
    """LangChain's Embeddings interface over the session's model (no second model load)."""

    def __init__(self, embedder) -> None:  # type: ignore[no-untyped-def]
        self.embedder = embedder
        self.documents_embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents_embedded += len(texts)
        return self.embedder.encode(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.encode([text])[0].tolist()  # type: ignore[no-any-return]


def test_tiny_run_produces_every_section_and_a_markdown_report(
    tmp_path: Path,
    tiny_corpus: Path,
    built_index: Path,
    settings,
    assistant,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    def start_servers(index_dir: Path) -> dict[str, Server]:
        ours_settings = settings.model_copy(
            update={"feedback_db": tmp_path / "feedback.db", "rate_limit_per_minute": 10**9}
        )
        lc_app = langchain_app.create_app(tiny_corpus / "tiny.md", "unused", embeddings=SessionEmbeddings(embedder))
        return {
            "ours": ThreadServer("ours", create_app(ours_settings, assistant)),
            "langchain": ThreadServer("langchain", lc_app),
        }

    setup = Setup(
        corpus_dir=tiny_corpus, corpus_file=tiny_corpus / "tiny.md", work_dir=tmp_path / "work", cache_dir=tmp_path / "cache",
        index_dir=built_index, start_servers=start_servers, assistant=assistant, embedder=embedder,
    )  # fmt: skip
    results = run(TINY, setup)
    write(results, tmp_path / "results.json", tmp_path / "benchmarks.md")

    assert set(results) >= {"machine", "ingest", "library", "http", "load", "memory", "profile", "scale", "targets"}
    # The second run never embeds again (it reuses the build, or rebuilds from the previous vectors if ingest code changed).
    assert results["ingest"]["cold"]["passages"] > 0 and results["ingest"]["unchanged"]["embedded"] == 0
    # `localities ingest` embeds in float32 unless bfloat16 is asked for, and then exactly where the CPU can (saying so).
    assert results["ingest"]["cold"]["bf16"] is False and results["ingest"]["cold_bf16"]["bf16"] == bf16_units()
    assert results["ingest"]["cold_bf16"]["passages"] == results["ingest"]["cold"]["passages"]
    for name in ("ours", "langchain"):
        assert {"search", "ask"} <= set(results["http"][name])
        assert results["memory"][name]["peak_rss_mb"] > 0
    assert [level["clients"] for level in results["load"]] == list(TINY.clients)
    for level in results["load"]:
        for name in ("ours", "langchain"):
            assert level[name]["errors"] == 0 and level[name]["requests"] > 0
    assert "all_threads" in results["profile"] or "skipped" in results["profile"]
    points = results["scale"]["points"]
    assert [p["passages"] for p in points] == [
        max(2, round(s * results["scale"]["toolkit_passages"])) for s in TINY.scales
    ]
    assert all(0.0 <= p["k10"]["hnsw_recall"] <= 1.0 and p["exact_duplicates"] == 0 for p in points)
    # Every floor but retrieval against torch, which the tiny plan skips (it runs two evaluations).
    assert len(results["targets"]) == 7 and all(isinstance(t["met"], bool) for t in results["targets"])
    assert "retrieval" not in results

    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert saved["plan"]["name"] == "tiny"
    markdown = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    for heading in (
        "## Targets",
        "## Ingest (toolkit)",
        "## Latency",
        "## Throughput",
        "## Memory",
        "## Scale",
        "## Machine",
        "## Reproduce",
    ):
        assert heading in markdown
    assert "| Clients | ours req/s" in markdown and "make bench" in markdown


def test_synthetic_corpus_is_seeded_prefix_stable_and_has_no_duplicates(passages) -> None:  # type: ignore[no-untyped-def]
    big = synthesize(passages, 3 * len(passages))
    small = synthesize(passages, len(passages))
    assert [p.text for p in small] == [p.text for p in big[: len(small)]]
    assert exact_duplicates(big) == 0
    assert {p.chapter for p in big} == {p.chapter for p in passages}


def test_query_stream_alternates_endpoints_and_does_not_repeat_a_wording_early() -> None:
    questions = ["one?", "two?", "three?"]
    stream = RequestStream(questions)
    paths = [stream.next()[0] for _ in range(4)]
    assert paths == ["/search", "/ask", "/search", "/ask"]
    wordings = [w for _, w in zip(range(unique_count(questions)), variants(questions))]
    assert len(set(wordings)) == unique_count(questions)


def test_profile_summary_from_collapsed_stacks() -> None:
    raw = (
        "serve (assistant/cli.py:1);search (assistant/api.py:2);Retriever.search (assistant/retrieval.py:3);"
        "Linear.forward (torch/nn/modules/linear.py:4) 6\n"
        "serve (assistant/cli.py:1);search (assistant/api.py:2);rrf (assistant/retrieval.py:9) 2\n"
        "select (selectors.py:5) 2\n"
    )
    summary = profiling.summarise(profiling.parse_collapsed(raw))
    assert summary["samples"] == 10
    assert summary["by_category"][0] == {"frame": "model forward (torch)", "samples": 6, "share": 0.6}
    inclusive = {row["frame"]: row["samples"] for row in summary["top_inclusive_ours"]}
    assert inclusive["search (assistant/api.py)"] == 8 and inclusive["rrf (assistant/retrieval.py)"] == 2


def test_stats_helpers() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert ratio(50.0, 100.0) == 0.5
    assert report.TARGETS["throughput_clients"] == 16


def test_the_langchain_store_is_embedded_once_and_then_loaded(tmp_path: Path, tiny_corpus: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    embeddings = SessionEmbeddings(embedder)
    corpus_file = tiny_corpus / "tiny.md"
    built = langchain_app.cached_store(corpus_file, "m", tmp_path, embeddings)
    embedded = embeddings.documents_embedded
    loaded = langchain_app.cached_store(corpus_file, "m", tmp_path, embeddings)
    assert embedded > 0 and embeddings.documents_embedded == embedded, "the second start embedded the toolkit again"
    query = "shared services"
    assert [d.page_content for d in loaded.similarity_search(query, k=3)] == [
        d.page_content for d in built.similarity_search(query, k=3)
    ]
    corpus_file.write_text(corpus_file.read_text(encoding="utf-8") + "\n\nA new paragraph.", encoding="utf-8")
    langchain_app.cached_store(corpus_file, "m", tmp_path, embeddings)
    assert embeddings.documents_embedded > embedded, "a changed text reused the old vectors"


def test_retrieval_against_torch_is_judged_on_the_largest_retrieval_gap() -> None:
    served = {"blind": {"found@5": 0.780, "mrr@10": 0.635, "cited_evidence": 0.729, "search_ms_p50": 30.0}}
    torch = {"blind": {"found@5": 0.780, "mrr@10": 0.631, "cited_evidence": 0.700, "search_ms_p50": 90.0}}
    compared = retrieval.compare(served, torch)
    assert compared["largest_retrieval_gap"] == 0.004 and compared["largest_answer_gap"] == 0.029
    assert "search_ms_p50" not in compared["by_set"]["blind"]
    results = {"retrieval": {"split": "dev", "encoder": "onnx", **compared}}
    assert report._retrieval_lines(results)[0] == "## Retrieval against the torch path"
