"""The exported model run on ONNX Runtime, tokenised with `tokenizers`: the same vectors as the torch path, without torch.

A forward pass of all-MiniLM-L6-v2 over one query costs about 13 ms in torch and 5 ms in ONNX Runtime on one
core of the reference machine, and a server that never imports torch is ~300 MB smaller. The exported graph
already holds the pooling and the normalisation (core/onnx_export.py), so a batch is tokenise → run → rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.batching import MAX_ROWS, TOKEN_BUDGET

MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
EXPORT_FILE = "export.json"
# A lone query's pass split over the cores waits between ops: pool threads that spin that long before sleeping
# keep the split worth it (one query, 2 cores: 7.6 -> 4.4 ms; unbounded spinning also 4.4 ms but 13.3 CPU ms
# against 10.0 bounded and 8.9 on one thread), without burning a core through the rest of the request.
LONE_SPIN_US = 50


@dataclass(frozen=True)
class ExportInfo:
    """What the runtime needs to know about an export, read from its export.json."""

    max_length: int
    pad_id: int
    pad_token: str
    input_names: tuple[str, ...]
    dimension: int

    @classmethod
    def read(cls, folder: Path) -> ExportInfo:
        data = json.loads((folder / EXPORT_FILE).read_text(encoding="utf-8"))
        return cls(
            int(data["max_length"]),
            int(data["pad_id"]),
            str(data["pad_token"]),
            tuple(data["input_names"]),
            int(data["dimension"]),
        )


class ExportTokenizer:
    """The export's tokenizer, as the torch path tokenises: truncated at the model's limit, padded to a batch's longest."""

    def __init__(self, folder: Path, info: ExportInfo) -> None:
        from tokenizers import Tokenizer

        self._padded = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        # tokenizer.json carries the training-time settings (fixed 128-token padding for MiniLM); the torch path
        # pads to the longest text and truncates at the model's own limit, and so must this.
        self._padded.enable_truncation(info.max_length)
        self._padded.enable_padding(pad_id=info.pad_id, pad_token=info.pad_token)
        self._counter = Tokenizer.from_file(str(folder / TOKENIZER_FILE))  # unpadded: a text's own length
        self._counter.enable_truncation(info.max_length)
        self._counter.no_padding()

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Each text's length in tokens as the model sees it (truncated at its limit, unpadded)."""
        return [len(e.ids) for e in self._counter.encode_batch([text.strip() for text in texts])]

    def feed(self, texts: Sequence[str], input_names: Sequence[str]) -> dict[str, np.ndarray]:
        """The model's inputs for a batch, by input name."""
        encodings = self._padded.encode_batch([text.strip() for text in texts])
        columns = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        return {name: np.asarray(columns[name], dtype=np.int64) for name in input_names}


class OnnxPooled:
    """Normalised sentence embeddings from an exported model folder; safe to call from several threads."""

    def __init__(self, folder: Path, int8: bool = False, threads: int | None = None, lone_threads: int = 1) -> None:
        """`threads` per pass (None: one per core); with `lone_threads` > 1, a second session of that many threads
        serves `encode_lone`, for a query with the machine to itself (it holds a second copy of the weights)."""
        import onnxruntime as ort

        self.info = ExportInfo.read(folder)
        self.dimension = self.info.dimension
        self.batch_tokens, self.batch_rows = TOKEN_BUDGET, MAX_ROWS
        self._tokenizer = ExportTokenizer(folder, self.info)
        model = str(folder / (INT8_FILE if int8 else MODEL_FILE))
        # Spinning pool threads burn a core waiting for the next op; on a shared 2-core box that slows the
        # request threads more than it speeds the pass.
        self._session = ort.InferenceSession(model, _options(threads or 0, spin_us=None), providers=["CPUExecutionProvider"])
        self._lone = (
            ort.InferenceSession(model, _options(lone_threads, LONE_SPIN_US), providers=["CPUExecutionProvider"])
            if lone_threads > 1
            else None
        )
        self._inputs = [i.name for i in self._session.get_inputs()]

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Each text's length in tokens as the model sees it (truncated at its limit, unpadded)."""
        return self._tokenizer.token_counts(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, in order; callers choose the batch size."""
        (vectors,) = self._session.run(None, self._tokenizer.feed(texts, self._inputs))
        return np.asarray(vectors, dtype=np.float32)

    def encode_lone(self, text: str) -> np.ndarray:
        """One text's vector over `lone_threads` cores; the same vector `encode` gives, bit for bit."""
        session = self._lone or self._session
        (vectors,) = session.run(None, self._tokenizer.feed([text], self._inputs))
        return np.asarray(vectors[0], dtype=np.float32)


def _options(threads: int, spin_us: int | None) -> Any:
    """Session options: `threads` per pass (0: one per core); pool threads spin `spin_us` between ops, or never."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if spin_us is None:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    else:
        options.add_session_config_entry("session.intra_op.spin_duration_us", str(spin_us))
    return options
