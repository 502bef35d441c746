"""Where a server spends its time under load: py-spy samples of every thread, summarised.

py-spy reads the process from outside (no instrumentation, `--nonblocking` so it never pauses it) and
writes collapsed stacks: one line per distinct stack, root first, with its sample count.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
OUR_PACKAGES = ("assistant/", "ingest/", "bench/", "core/", "stores/")
# Buckets for the leaf frame (where the CPU was), first match wins.
CATEGORIES = (
    ("model forward (torch)", ("torch/", "transformers/", "sentence_transformers/", "langchain_huggingface/")),
    ("model forward (ONNX Runtime)", ("onnxruntime/",)),
    ("tokenizer", ("tokenizers/",)),
    ("FAISS", ("faiss/",)),
    ("BM25 (bm25s/numpy)", ("bm25s/", "scipy/")),
    ("numpy", ("numpy/",)),
    ("our code", OUR_PACKAGES),
    ("spelling (rapidfuzz/spellchecker)", ("rapidfuzz/", "spellchecker/")),
    ("HTTP stack (uvicorn/starlette/fastapi/anyio/h11)", ("uvicorn/", "starlette/", "fastapi/", "anyio/", "h11/", "asyncio/", "httptools/")),
    ("pydantic", ("pydantic/", "pydantic_core/")),
    ("logging", ("logging/",)),
    ("threading/queue", ("threading.py", "queue.py", "concurrent/")),
)  # fmt: skip


def py_spy_path() -> str | None:
    candidate = Path(sys.executable).with_name("py-spy")
    return str(candidate) if candidate.exists() else shutil.which("py-spy")


def record(
    pid: int, seconds: float, out: Path, during: Callable[[], object], rate: int = 100, gil: bool = False
) -> Path:
    """Sample `pid` for `seconds` while `during()` drives load; the raw collapsed stacks go to `out`.

    With `gil`, only the thread holding the GIL is sampled: what serialises the request threads.
    """
    spy = py_spy_path()
    if spy is None:
        raise FileNotFoundError("py-spy is not installed: pip install py-spy")
    command = [spy, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate", str(rate)]
    command += ["--format", "raw", "--function", "--nonblocking", "--output", str(out)] + (["--gil"] if gil else [])
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        during()
    finally:
        _, err = process.communicate(timeout=seconds + 60)
    if process.returncode != 0 or not out.exists():
        raise RuntimeError(f"py-spy failed ({process.returncode}): {err.decode(errors='replace')[-500:]}")
    return out


def parse_collapsed(text: str) -> list[tuple[list[str], int]]:
    """Collapsed stacks ('a (f.py:1);b (g.py:2) 7') as (frames root-first, samples)."""
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def frame_name(frame: str) -> str:
    """'search (assistant/retrieval.py:107)' → 'search (assistant/retrieval.py)'."""
    match = _FRAME.match(frame.strip())
    return f"{match['function']} ({match['file']})" if match else frame.strip()


def frame_file(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    return match["file"] if match else ""


def category(file: str) -> str:
    for name, markers in CATEGORIES:
        if any(marker in file for marker in markers):
            return name
    return "other"


def is_ours(file: str) -> bool:
    return any(file.startswith(p) or f"/{p}" in file for p in OUR_PACKAGES) and "site-packages" not in file


def summarise(stacks: list[tuple[list[str], int]], top: int = 15) -> dict[str, object]:
    """Self time by leaf function, inclusive time of our own functions, and time by category."""
    total = sum(count for _, count in stacks)
    leaf: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for frames, count in stacks:
        leaf[frame_name(frames[-1])] += count
        categories[category(frame_file(frames[-1]))] += count
        for name in {frame_name(f) for f in frames if is_ours(frame_file(f))}:
            inclusive[name] += count

    def share(counter: Counter[str]) -> list[dict[str, object]]:
        return [{"frame": k, "samples": v, "share": round(v / total, 3)} for k, v in counter.most_common(top)]

    return {
        "samples": total,
        "by_category": share(categories),
        "top_self": share(leaf),
        "top_inclusive_ours": share(inclusive),
    }
