"""Toolkit ingest timed as a user runs it: `localities ingest` into a fresh index, then again unchanged."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from core.embed import BF16_NOTICE

_SUMMARY = re.compile(
    r"(?P<verb>Built index|Index unchanged, reused): (?P<docs>\d+) documents, (?P<passages>\d+) passages.*?\((?P<embedded>\d+) embedded\) in (?P<seconds>[\d.]+) s"
)


def localities_program() -> list[str]:
    """The `localities` command of this environment, as a user runs it."""
    script = Path(sys.executable).with_name("localities")
    return [str(script)] if script.exists() else [sys.executable, "-m", "localities.cli"]


def ingest_command(corpus_dir: Path, index_dir: Path, model: str) -> list[str]:
    return [*localities_program(), "ingest", "--corpus", str(corpus_dir), "--index", str(index_dir), "--model", model]


def parse_summary(output: str) -> dict[str, object]:
    """The CLI's closing line: what was built and how long `ingest()` itself took."""
    match = _SUMMARY.search(" ".join(output.split()))
    if match is None:
        return {}
    return {
        "bf16": BF16_NOTICE in " ".join(output.split()),
        "reused": match["verb"].startswith("Index unchanged"),
        "documents": int(match["docs"]),
        "passages": int(match["passages"]),
        "embedded": int(match["embedded"]),
        "ingest_seconds": float(match["seconds"]),
    }


def timed_ingest(corpus_dir: Path, index_dir: Path, model: str, env: dict[str, str]) -> dict[str, object]:
    """Wall and CPU seconds of one `localities ingest` process, start-up and model load included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        ingest_command(corpus_dir, index_dir, model), env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, object] = {
        "wall_s": round(wall, 2),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2),
    }
    result.update(parse_summary(done.stderr + done.stdout))
    passages = result.get("passages")
    if isinstance(passages, int) and not result.get("reused") and wall:
        result["passages_per_s"] = round(passages / wall, 2)
        embedded = result.get("embedded")
        if isinstance(embedded, int):
            result["texts_per_s"] = round(embedded / wall, 2)
    return result


def cold_and_unchanged(
    corpus_dir: Path, index_dir: Path, model: str, env: dict[str, str], bf16_dir: Path | None = None
) -> dict[str, object]:
    """Ingest into an empty index directory, then run the same command again with nothing changed; and, with
    `bf16_dir`, cold again there with bfloat16 asked for (`LOCALITIES_INGEST_BF16=true`, core/openvino_encoder.py)."""
    for folder in (index_dir, bf16_dir):
        if folder is not None and folder.exists() and any(folder.iterdir()):
            raise ValueError(f"{folder} must be empty for a cold ingest")
    runs = {
        "cold": timed_ingest(corpus_dir, index_dir, model, env),
        "unchanged": timed_ingest(corpus_dir, index_dir, model, env),
    }
    if bf16_dir is not None:
        runs["cold_bf16"] = timed_ingest(corpus_dir, bf16_dir, model, {**env, "LOCALITIES_INGEST_BF16": "true"})
    return runs
