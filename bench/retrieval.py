"""Retrieval on the served encoder against the torch path: `localities eval` once with each, over the same index.

The ONNX export's vectors match torch's to a cosine of 0.9999999, so the floor (every retrieval metric of every
evaluation set within ±0.005 of the torch path) checks that nothing around the encoder drifted either: the
tokenizer's truncation and padding, the pooling, the batching of concurrent queries.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bench.ingestion import localities_program

RETRIEVAL_METRICS = (
    "found@5", "evidence_coverage@5", "hit_rate@1", "hit_rate@3", "hit_rate@5",
    "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10",
)  # fmt: skip
ANSWER_METRICS = ("answer_fact_recall", "cited_evidence", "abstention_accuracy", "false_refusal")
TOLERANCE = 0.005


def eval_command(split: str, out: Path) -> list[str]:
    """Both evaluation sets, our system only, standalone questions only (the floor is about retrieval)."""
    return [
        *localities_program(), "eval", "--set", "all", "--split", split, "--no-baselines", "--no-conversation",
        "--out", str(out),
    ]  # fmt: skip


def summaries(report: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Our system's summary metrics per evaluation set, from a report.json."""
    found = {}
    for name, section in report["sets"].items():
        ours = next(s for s in section["systems"] if s["name"] == "ours")
        found[name] = {k: float(v) for k, v in ours["summary"].items() if isinstance(v, (int, float))}
    return found


def run_eval(encoder: str, index_dir: Path, split: str, out: Path, env: dict[str, str]) -> dict[str, dict[str, float]]:
    """One `localities eval` process on `encoder` over `index_dir`; its metrics per set."""
    child = {**env, "LOCALITIES_ENCODER": encoder, "LOCALITIES_INDEX_DIR": str(index_dir)}
    done = subprocess.run(eval_command(split, out), env=child, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"eval on {encoder} failed ({done.returncode}): {done.stderr[-2000:]}")
    report = max(out.glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    return summaries(json.loads(report.read_text(encoding="utf-8")))


def compare(served: dict[str, dict[str, float]], torch: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Per set and metric the two figures, and the largest retrieval gap (the floor) and answer gap (for reading)."""
    by_set: dict[str, dict[str, list[float]]] = {}
    retrieval_gap = answer_gap = 0.0
    for name in served:
        rows = {}
        for metric in (*RETRIEVAL_METRICS, *ANSWER_METRICS):
            if metric in served[name] and metric in torch.get(name, {}):
                a, b = served[name][metric], torch[name][metric]
                rows[metric] = [round(a, 4), round(b, 4)]
                if metric in RETRIEVAL_METRICS:
                    retrieval_gap = max(retrieval_gap, abs(a - b))
                else:
                    answer_gap = max(answer_gap, abs(a - b))
        by_set[name] = rows
    return {"largest_retrieval_gap": round(retrieval_gap, 4), "largest_answer_gap": round(answer_gap, 4), "by_set": by_set}


def against_torch(served_encoder: str, index_dir: Path, split: str, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """The served encoder's evaluation beside the torch path's, on `split`, over one index."""
    served = run_eval(served_encoder, index_dir, split, work / f"eval-{served_encoder}", env)
    torch = run_eval("torch", index_dir, split, work / "eval-torch", env)
    return {"split": split, "encoder": served_encoder, "tolerance": TOLERANCE, **compare(served, torch)}
