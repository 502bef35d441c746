"""What machine a benchmark ran on: cores, memory, CPU model, Python and the packages that matter."""

from __future__ import annotations

import os
import platform
import time
from importlib import metadata
from pathlib import Path

KEY_PACKAGES = (
    "torch", "sentence-transformers", "transformers", "faiss-cpu", "bm25s", "numpy", "fastapi", "uvicorn",
    "pydantic", "httpx", "langchain-core", "langchain-community", "langchain-huggingface",
    "langchain-text-splitters", "psutil", "py-spy",
)  # fmt: skip


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def total_ram_gb() -> float:
    import psutil

    return round(psutil.virtual_memory().total / 2**30, 1)


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def describe() -> dict[str, object]:
    """The facts docs/benchmarks.md prints under its tables."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "ram_gb": total_ram_gb(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": package_versions(),
        "load_average_at_start": [round(x, 2) for x in load],
    }
