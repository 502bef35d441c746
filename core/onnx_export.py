"""Export a transformer + pooling model to ONNX once per machine, checked against the torch path before it is used.

The export lives in `<export_dir>/<model>-<digest>/`, the digest covering every file of the model folder and
the export code's version, so a changed model (or exporter) gets a fresh export and an unchanged one is never
exported twice. It is made here, from the installed model, never downloaded. Before the folder is published the
ONNX vectors of a fixed sample are compared with the torch path's; below `MIN_COSINE` the export is recorded as
refused, with the reason, and the caller keeps to torch. Only `ensure_export` is cheap: everything that needs
torch is imported when an export is actually made, so a process that finds one never imports torch.

The graph is exported plain and ONNX Runtime's own ORT_ENABLE_ALL fusions run when a session opens (MatMul+Add,
BiasGelu, LayerNorm). Offline BERT fusion (`onnxruntime.transformers.optimizer`) was measured and is not worth it
(issue 18, 2026-12-02): with the mask built the transformers-4 way and the heads' -1 reshape made explicit it fuses
everything (EmbedLayerNormalization 1, Attention 6, SkipLayerNormalization 12, BiasGelu 6; lowest cosine to torch
0.9999999 on every passage and sentence), yet on this 2-core AVX2 machine a 19-token query took 14.3 ms against
13.7, the toolkit's ingest batches 56.9-57.9 CPU s against 55.3-55.7, and only 4-token queries gained (6.8 vs
8.0 ms). MatMul is ~80 % of a pass and already at ~62 GFLOP/s of the core's 78 peak on ingest batches, so no
graph rewrite that keeps fp32 weights can make ingest much cheaper; 8-bit weight-only MatMulNBits was 5x slower
and its vectors drift (lowest cosine 0.99981).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.onnx_encoder import EXPORT_FILE, INT8_FILE, MODEL_FILE, TOKENIZER_FILE, OnnxPooled
from core.pooled import PooledLayout

# Bump when the exported graph or export.json changes shape, so old exports are not reused.
EXPORT_VERSION = "1"
OPSET = 17
MIN_COSINE = 0.9999
Log = Callable[[str], None]

# Queries and passages of the lengths the service sees, a text past the 256-token limit (truncation), and
# batches that mix them (padding): the places an export or a tokenizer could drift from the torch path.
SAMPLE = [
    "LEP?",
    "CIL",
    "  what is a s151 officer  ",
    "How did two councils come to share one chief executive and a management team?",
    "Which district councils pooled their planning services, and what did they save?",
    "Shared services across a county can cut costs while keeping a local presence in each market town.",
    "The council set up a wholly owned company to build homes for rent, funded by prudential borrowing.",
    "Résumé of the Localism Act 2011 — what changed for parish and town councils?",
    "Community hubs bring the library, the job centre and council advice under one roof; footfall rose by a "
    "third in the first year and satisfaction with council services rose with it.",
    "The programme board met monthly. Each workstream reported its savings against the business case, and the "
    "finance team tracked the benefits realised from the combined back office, the single ICT platform and the "
    "rationalised estate, reporting to members twice a year through the joint committee.",
    "shared services " * 300,
    "ÆØÅ 😀 ½ \t tabs and\nnew lines",
]


@dataclass(frozen=True)
class ExportOutcome:
    """Where a usable export is (`folder`), or why there is none (`reason`)."""

    folder: Path | None
    reason: str = ""
    info: dict[str, Any] | None = None


def model_digest(model_dir: Path) -> str:
    """Hash of every file in the model folder (names and bytes) and of the exporter's version."""
    digest = hashlib.sha256(f"export {EXPORT_VERSION} opset {OPSET}".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(model_dir).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:16]


def export_folder(export_dir: Path, model_dir: Path, label: str = "") -> Path:
    """`<label>-<digest>`: the label (the model's name) is for people; the digest decides."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", label or model_dir.name).strip("-.") or "model"
    return export_dir / f"{name}-{model_digest(model_dir)}"


def lowest_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The smallest row-wise cosine of two sets of vectors (rows need not be normalised)."""
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return float(((a * b).sum(axis=1) / np.maximum(norms, 1e-12)).min())


def ensure_export(
    model_dir: Path, layout: PooledLayout, export_dir: Path, int8: bool = False, log: Log | None = None, label: str = ""
) -> ExportOutcome:
    """The checked export of `model_dir`, made now if this machine has none; a refused one says why."""
    log = log or logging.getLogger(__name__).info
    folder = export_folder(export_dir, model_dir, label)
    found = _read(folder)
    if found is None:
        try:
            export_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return ExportOutcome(None, f"cannot write the export to {export_dir}: {exc}")
        from filelock import FileLock

        with FileLock(str(folder) + ".lock"):  # two processes starting at once export once
            found = _read(folder)
            if found is None:
                log(f"Exporting {folder.name.rsplit('-', 1)[0]} to ONNX once for this machine (about half a minute) → {folder}")
                found = _export_and_check(model_dir, layout, folder)
                verdict = "ready" if found.get("passed") else f"refused: {found.get('reason')}"
                log(f"ONNX export {verdict} (lowest cosine to torch {found.get('min_cosine')}, {found.get('seconds')} s)")
    if not found.get("passed"):
        return ExportOutcome(None, str(found.get("reason")), found)
    if int8 and not (folder / INT8_FILE).is_file():
        from filelock import FileLock

        with FileLock(str(folder) + ".lock"):
            if not (folder / INT8_FILE).is_file():
                log(f"Quantising the ONNX export of {folder.name.rsplit('-', 1)[0]} to int8 (dynamic) → {folder / INT8_FILE}")
                found = _quantise(folder, found)
                log(f"int8 export: lowest cosine to the fp32 export {found.get('int8_min_cosine')}")
    return ExportOutcome(folder, "", found)


def _read(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / EXPORT_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _write(folder: Path, info: dict[str, Any]) -> None:
    (folder / EXPORT_FILE).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")


def _export_and_check(model_dir: Path, layout: PooledLayout, folder: Path) -> dict[str, Any]:
    """Export into a scratch folder, compare with torch on the sample, then publish the folder (or the refusal)."""
    started = time.perf_counter()
    scratch = folder.with_name(folder.name + f".tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    info: dict[str, Any] = {"model": folder.name.rsplit("-", 1)[0], "digest": folder.name.rsplit("-", 1)[-1], "opset": OPSET}
    try:
        info.update(_export(model_dir, layout, scratch))
        _write(scratch, info)
        from core.pooled import PooledTransformer

        reference = PooledTransformer(model_dir, layout)
        exported = OnnxPooled(scratch, threads=1)
        info["min_cosine"] = round(_compare(reference.encode, exported.encode, SAMPLE), 7)
        info["passed"] = info["min_cosine"] >= MIN_COSINE
        if not info["passed"]:
            info["reason"] = f"the export's lowest cosine to torch on the check sample is {info['min_cosine']} (< {MIN_COSINE})"
    except Exception as exc:  # noqa: BLE001 - any failure to export means torch serves; the reason is shown
        info.update(passed=False, reason=f"export failed: {type(exc).__name__}: {exc}")
        info["seconds"] = round(time.perf_counter() - started, 1)
        # Not kept as the verdict: a failure of this machine (a package missing, a full disk) is tried again at
        # the next start, once it may be fixed; only a check the model itself fails is final.
        shutil.rmtree(scratch, ignore_errors=True)
        return info
    info["seconds"] = round(time.perf_counter() - started, 1)
    if not info["passed"]:  # keep only the verdict, so the next start does not try again
        for path in scratch.iterdir():
            path.unlink()
    _write(scratch, info)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(scratch, folder)
    return info


def _compare(torch_encode: Callable[[Sequence[str]], np.ndarray], onnx_encode: Callable[[Sequence[str]], np.ndarray], texts: list[str]) -> float:
    """Lowest cosine over the sample encoded one at a time and as one padded batch."""
    single = lowest_cosine(np.vstack([onnx_encode([t]) for t in texts]), np.vstack([torch_encode([t]) for t in texts]))
    batched = lowest_cosine(onnx_encode(texts), torch_encode(texts))
    return min(single, batched)


def _export(model_dir: Path, layout: PooledLayout, scratch: Path) -> dict[str, Any]:
    """The transformer with its pooling and normalisation as one ONNX graph, and the tokenizer beside it."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    # The eager attention traces to plain ops; its numbers are the torch path's (checked below).
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    names = [n for n in tokenizer.model_input_names if n in ("input_ids", "attention_mask", "token_type_ids")]
    limit = tokenizer.model_max_length
    max_length = min(layout.max_seq_length or limit, limit)

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            batch = dict(zip(names, inputs, strict=True))
            tokens = self.model(**batch).last_hidden_state
            if layout.pooling == "cls":
                pooled = tokens[:, 0]
            else:
                mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    example = tokenizer(SAMPLE[:3], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    import warnings

    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow, fixed for a static pooling
        torch.onnx.export(
            Pooled(),
            tuple(example[n] for n in names),
            str(scratch / MODEL_FILE),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and handles BERT-like encoders
        )
    backend = tokenizer.backend_tokenizer
    backend.no_truncation()
    backend.no_padding()
    backend.save(str(scratch / TOKENIZER_FILE))
    return {
        "pooling": layout.pooling,
        "max_length": int(max_length),
        "pad_id": int(tokenizer.pad_token_id or 0),
        "pad_token": str(tokenizer.pad_token),
        "input_names": names,
        "dimension": int(model.config.hidden_size),
        "torch": torch.__version__,
    }


def _quantise(folder: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Dynamic int8 weights beside the fp32 export, with its lowest cosine to fp32 on the sample recorded."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    scratch = folder / (INT8_FILE + f".tmp-{os.getpid()}")
    quantize_dynamic(str(folder / MODEL_FILE), str(scratch), weight_type=QuantType.QInt8)
    os.replace(scratch, folder / INT8_FILE)
    fp32, int8 = OnnxPooled(folder, threads=1), OnnxPooled(folder, int8=True, threads=1)
    info["int8_min_cosine"] = round(_compare(fp32.encode, int8.encode, SAMPLE), 5)
    _write(folder, info)
    return info
