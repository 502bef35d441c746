"""A sentence-transformers model run with `transformers` alone, for the usual Transformer → Pooling → Normalize layout.

Importing sentence-transformers also imports scikit-learn, SciPy, pandas and PIL: about 210 MB resident in
every server process, for a forward pass that needs none of them. all-MiniLM-L6-v2 and most embedding models
are a transformer, mean or CLS pooling and a normalisation, which this reproduces to float precision; any
other layout (a Dense head, a custom module) is left to sentence-transformers (see core/embed.py). The
same model exported to ONNX (core/onnx_export.py) gives these vectors again without torch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.batching import MAX_ROWS, TOKEN_BUDGET

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


@dataclass(frozen=True)
class PooledLayout:
    """What the forward pass needs from a sentence-transformers model folder."""

    pooling: str  # "mean" or "cls"
    max_seq_length: int | None


def _read_json(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def plain_layout(model_dir: Path) -> PooledLayout | None:
    """The model's pooling if it is Transformer → Pooling (mean or CLS) [→ Normalize]; None for anything else."""
    modules_file = model_dir / "modules.json"
    if not modules_file.is_file() or not (model_dir / "config.json").is_file():
        return None
    modules = json.loads(modules_file.read_text(encoding="utf-8"))
    kinds = [m.get("type") for m in modules]
    if kinds not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]) or modules[0].get("path"):
        return None
    pooling = _read_json(model_dir / str(modules[1].get("path", "")) / "config.json")
    modes = {key for key, on in pooling.items() if key.startswith("pooling_mode_") and on is True}
    chosen = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}.get(modes.pop()) if len(modes) == 1 else None
    if chosen is None or pooling.get("include_prompt") is False:
        return None
    settings = _read_json(model_dir / "sentence_bert_config.json")
    if settings.get("do_lower_case"):
        return None
    max_length = settings.get("max_seq_length")
    return PooledLayout(chosen, int(max_length) if isinstance(max_length, int) else None)


class PooledTransformer:
    """Normalised sentence embeddings from a Hugging Face encoder and its pooling, on the CPU."""

    def __init__(self, model_dir: Path, layout: PooledLayout, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)  # process-wide: torch has no per-model setting

        self.layout = layout
        self.batch_tokens, self.batch_rows = TOKEN_BUDGET, MAX_ROWS
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        self._model = AutoModel.from_pretrained(str(model_dir)).eval()
        self.dimension = int(self._model.config.hidden_size)
        limit = self._tokenizer.model_max_length
        self._max_length = min(layout.max_seq_length or limit, limit)

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Each text's length in tokens as the model sees it (truncated at its limit, unpadded)."""
        ids = self._tokenizer([text.strip() for text in texts], truncation="longest_first", max_length=self._max_length)
        return [len(row) for row in ids["input_ids"]]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, in order; callers choose the batch size."""
        import torch

        batch = self._tokenizer(
            [text.strip() for text in texts],
            padding=True,
            truncation="longest_first",
            max_length=self._max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            tokens = self._model(**batch).last_hidden_state
            if self.layout.pooling == "cls":
                pooled = tokens[:, 0]
            else:
                mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.numpy().astype(np.float32, copy=False)
