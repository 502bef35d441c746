"""The exported model run by OpenVINO in bfloat16, for ingest on CPUs that multiply bfloat16 in hardware.

An ingest embeds the toolkit's 125,000 tokens. In float32 that is matrix products at close to the core's peak
(core/onnx_export.py), about 40 CPU s on the reference machine. A CPU with bfloat16 matrix units (Intel AMX,
or AVX512-BF16) multiplies bfloat16 several times faster. OpenVINO runs the same exported graph with its matrix
products in bfloat16 and its layer norms and softmax in float32: the toolkit's embedding 2.5-2.7x faster than in
ONNX Runtime's float32 on the reference machine, at a lowest cosine of 0.99996 to it over every passage and sentence.
The `Embedder` uses it only after checking that cosine on the export's sample (core/embed.py).

Queries stay on ONNX Runtime: a single short query gained nothing here (12.0 against 11.7 ms).
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.onnx_encoder import MODEL_FILE, ExportInfo, ExportTokenizer

# Padded tokens per batch (core/batching.py): bfloat16 kernels want bigger matrices than float32's. For the
# toolkit on two streams, 512 / 1,024 / 4,096 / 8,192 / 16,384 took 7.3 / 6.5 / 5.4 / 5.7 / 6.9 s.
BF16_BATCH_TOKENS = 4096
BF16_MAX_ROWS = 256


def bf16_units() -> bool:
    """Whether OpenVINO is installed and this CPU computes in bfloat16 natively (else it would be emulated)."""
    try:
        import openvino
    except ImportError:
        return False
    return "BF16" in openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


class OpenVinoPooled:
    """Normalised sentence embeddings from an exported model folder, in bfloat16; safe to call from several threads.

    `streams` batches run side by side, each on one core's worth of `threads`.
    """

    def __init__(self, folder: Path, streams: int = 1, threads: int = 1) -> None:
        import openvino

        self.info = ExportInfo.read(folder)
        self.dimension = self.info.dimension
        self.batch_tokens = BF16_BATCH_TOKENS
        self.batch_rows = BF16_MAX_ROWS
        self._tokenizer = ExportTokenizer(folder, self.info)
        config = {
            "INFERENCE_PRECISION_HINT": "bf16",
            "NUM_STREAMS": str(streams),
            "INFERENCE_NUM_THREADS": str(streams * threads),
        }
        model = openvino.Core().compile_model(str(folder / MODEL_FILE), "CPU", config)
        self._inputs = [i.get_any_name() for i in model.inputs]
        # One request per stream: a caller takes one for its batch, so concurrent callers never share one.
        self._requests: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for _ in range(streams):
            self._requests.put(model.create_infer_request())

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Each text's length in tokens as the model sees it (truncated at its limit, unpadded)."""
        return self._tokenizer.token_counts(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, in order; callers choose the batch size."""
        feed = self._tokenizer.feed(texts, self._inputs)
        request = self._requests.get()
        try:
            request.infer(feed)
            return np.array(request.get_output_tensor(0).data, dtype=np.float32)
        finally:
            self._requests.put(request)
