"""The UI talks HTTP only: importing its client loads no index, model or database code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("faiss", "bm25s", "sqlalchemy", "torch", "transformers", "sentence_transformers", "stores.files", "stores.postgres")


def test_importing_the_client_loads_no_index_model_or_database_code() -> None:
    script = "import json, sys; import ui.client; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    heavy = [m for m in loaded if m.split(".")[0] in HEAVY or any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == [], f"importing ui.client loaded {heavy}"
    assert "assistant.http.schemas" in loaded  # the contract it speaks, and nothing behind it
