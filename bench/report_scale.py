"""The scale section of docs/benchmarks.md: synthetic corpora, flat against HNSW, and the ingest's switch."""

from __future__ import annotations

from typing import Any

from bench.stats import fmt as _num


def scale_lines(scale: dict[str, Any]) -> list[str]:
    rate = scale["embed_rate"]
    vectors = scale["vectors"]
    fid = vectors["fidelity"]
    k = scale["candidates"]
    lines = [
        (
            f"Synthetic corpora re-mixed from the toolkit's {scale['toolkit_passages']} passages (40% of sentences swapped for others "
            "from the same chapter, some reordered, place names swapped, numbers varied; the smaller corpus is a prefix of the larger)."
        ),
        "",
        (
            f"- Embedding rate on the ingest's encoder ({rate.get('encoder', 'torch')}), measured afresh on {rate['passages']} synthetic passages: "
            f"**{_num(rate['passages_per_s'])} passages/s** for the passages alone; **{_num(rate['pipeline_passages_per_s'])} passages/s** "
            f"with their {rate['sentences']:,} sentences, which the ingest embeds too. Ingest passages/s below uses the latter plus the "
            "measured write step (BM25, FAISS, JSON, vectors)."
        ),
        *_torch_rate_line(rate, scale.get("embed_rate_torch"), scale["embed_threads"]),
        (
            f"- Passage vectors: {vectors['source']}. Against the model's own vectors for the sample: mean cosine "
            f"{_num(fid['mean_cosine'], 3)}, 5th percentile {_num(fid['p5_cosine'], 3)}."
        ),
        "",
        (
            f"| Corpus | Passages | Duplicates | Ingest passages/s | write_build s | Flat k={k} p50 / p95 ms | HNSW k={k} p50 / p95 ms "
            f"| Flat, 1 FAISS thread p50 ms | HNSW recall@10 | HNSW recall@{k} | HNSW build s | Sentence index rows | Sentence flat k={k * 4} p50 ms (1 thread) "
            f"| Distinct sentences | Sentence HNSW k={k * 4} p50 ms | Sentence HNSW recall@{k * 4} |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in scale["points"]:
        flat, hnsw = p[f"k{k}"]["flat"], p[f"k{k}"]["hnsw"]
        sentence = p["sentence_flat"]
        lines.append(
            f"| {_scale_name(p)} | {p['passages']:,} | {p['exact_duplicates']} | {_num(p['ingest']['passages_per_s'], 2)} "
            f"| {_num(p['write_build_s'])} | {_num(flat['p50_ms'], 2)} / {_num(flat['p95_ms'], 2)} | {_num(hnsw['p50_ms'], 2)} / {_num(hnsw['p95_ms'], 2)} "
            f"| {_num(p['one_faiss_thread']['flat']['p50_ms'], 2)} | {_num(p['k10']['hnsw_recall'], 3)} | {_num(p[f'k{k}']['hnsw_recall'], 3)} "
            f"| {_num(p['hnsw_build_s'])} | {sentence['rows']:,} | {_num(sentence['p50_ms'], 2)} ({_num(p['one_faiss_thread']['sentence_flat']['p50_ms'], 2)}) "
            f"| {_num(p.get('sentence_hnsw', {}).get('distinct'), 0)} | {_num(p.get('sentence_hnsw', {}).get('p50_ms'), 2)} "
            f"| {_num(p.get('sentence_hnsw', {}).get('recall'), 3)} |"
        )
    e2e = [p for p in scale["points"] if "assistant_flat" in p]
    if e2e:
        lines += [
            "",
            (
                "Assistant.search end to end over each synthetic build (sentences included), timed once every query vector is cached, "
                "so without the model's forward pass:"
            ),
            "",
            "| Corpus | flat indexes: p50 / p95 ms | same, FAISS on 1 thread | HNSW passage + sentence indexes: p50 / p95 ms | same, FAISS on 1 thread | FileStore + Assistant load s |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for p in e2e:
            f, h = p["assistant_flat"]["search"], p["assistant_hnsw"]["search"]
            f1, h1 = p["assistant_flat"]["search_one_faiss_thread"], p["assistant_hnsw"]["search_one_faiss_thread"]
            lines.append(
                f"| {_scale_name(p)} | {_num(f['p50_ms'], 1)} / {_num(f['p95_ms'], 1)} | {_num(f1['p50_ms'], 1)} / {_num(f1['p95_ms'], 1)} "
                f"| {_num(h['p50_ms'], 1)} / {_num(h['p95_ms'], 1)} | {_num(h1['p50_ms'], 1)} / {_num(h1['p95_ms'], 1)} | {_num(p['assistant_flat']['load_s'])} |"
            )
        profile = e2e[-1]["assistant_flat"].get("profile")
        if profile:
            lines += ["", f"cProfile of those searches at {e2e[-1]['passages']:,} passages (flat), by own time:", ""]
            lines += ["| Function | Own s | Share | Calls |", "| --- | --- | --- | --- |"]
            lines += [
                f"| `{r['function']}` | {_num(r['own_s'], 3)} | {r['share']:.1%} | {r['calls']:,} |" for r in profile
            ]
    largest = scale["points"][-1]
    lines += [
        "",
        f"HNSW efSearch sweep at {largest['passages']:,} passages (k=10):",
        "",
        "| efSearch | p50 ms | recall@10 |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {s['ef_search']} | {_num(s['p50_ms'], 3)} | {_num(s['recall_at_10'], 3)} |"
        for s in largest["ef_search_sweep"]
    ]
    lines += ["", threshold_verdict(scale)]
    return lines


def _scale_name(point: dict[str, Any]) -> str:
    return f"{_num(point['scale'], 2 if point['scale'] < 1 else 0)}×"


def threshold_verdict(scale: dict[str, Any]) -> str:
    """What the measurements say about the ingest's flat/HNSW switch, computed from them."""
    k = scale["candidates"]
    threshold = scale["threshold"]
    largest = scale["points"][-1]
    n = largest["passages"]
    flat_default = largest[f"k{k}"]["flat"]["p50_ms"]
    flat_one = largest["one_faiss_thread"]["flat"]["p50_ms"]
    hnsw = largest[f"k{k}"]["hnsw"]["p50_ms"]
    recall10 = largest["k10"]["hnsw_recall"]
    sweep = {s["ef_search"]: s["recall_at_10"] for s in largest["ef_search_sweep"]}
    at_switch = flat_one / n * threshold["value"]
    parts = [
        (
            f"**Flat/HNSW switch**: `HNSW_THRESHOLD = {threshold['value']:,}` ({threshold['where']}). At {n:,} passages a flat "
            f"search (k={k}) takes {_num(flat_default, 2)} ms p50 with FAISS's default {largest['faiss_default_threads']} OpenMP threads "
            f"and {_num(flat_one, 2)} ms with one; HNSW takes {_num(hnsw, 2)} ms with recall@10 {_num(recall10, 3)} "
            f"(efSearch {largest.get('ef_search', 64)}; {_num(sweep.get(64), 3)} at 64, {_num(sweep.get(256), 3)} at 256). "
            "Scaled linearly, one-thread flat search costs about "
            f"{_num(at_switch, 1)} ms at the switch."
        )
    ]
    if at_switch <= 5.0 and recall10 < 0.99:
        parts.append(
            "Exact search stays within a few ms up to the switch while HNSW would give up results, so the threshold is sensible "
            "provided FAISS runs one thread per query."
        )
    elif at_switch > 5.0:
        parts.append(
            f"That is more than 5 ms: the switch could come sooner (about {5.0 / flat_one * n:,.0f} passages)."
        )
    if flat_default > 3 * flat_one:
        parts.append(
            f"With its default threads FAISS is {flat_default / max(flat_one, 1e-6):.0f}× slower on this busy 2-core machine: "
            "pinning it to one thread in the server (as the query encoder does for torch) matters more than the switch."
        )
    sentence = largest["sentence_flat"]
    sentence_hnsw = largest.get("sentence_hnsw")
    text = (
        f"The sentence index holds {sentence['rows']:,} rows at this size: {_num(sentence['p50_ms'], 1)} ms per exact "
        f"search ({_num(largest['one_faiss_thread']['sentence_flat']['p50_ms'], 1)} ms with one thread)"
    )
    if sentence_hnsw:
        text += (
            f", {_num(sentence_hnsw['p50_ms'], 2)} ms with HNSW over its {_num(sentence_hnsw.get('distinct'), 0)} distinct sentences "
            f"(recall@{k * 4} {_num(sentence_hnsw['recall'], 3)} against exact search over them); the same switch applies "
            "to it by its own row count, so a build with more than the threshold's sentences ships `sentences.faiss` (HNSW)."
        )
    else:
        text += "."
    parts.append(text)
    return " ".join(parts)


def _torch_rate_line(rate: dict[str, Any], torch_rate: dict[str, Any] | None, threads: int) -> list[str]:
    if not torch_rate:
        return []
    seconds = float(rate["passages_s"]) + float(rate["sentences_s"])
    torch_seconds = float(torch_rate["passages_s"]) + float(torch_rate["sentences_s"])
    return [
        (
            f"- The same sample on the torch path ({threads} torch threads), in the same run: "
            f"{_num(torch_rate['pipeline_passages_per_s'])} passages/s with their sentences, {_num(torch_seconds)} s against "
            f"{_num(seconds)} s (×{_num(seconds / torch_seconds if torch_seconds else float('nan'), 2)})."
        )
    ]
