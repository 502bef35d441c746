"""Re-indexing on request: ingest the corpus folder into the configured store in a background thread, one
run at a time, then let the server's follower swap the new corpus in."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Literal

from assistant.encoding import ingest_embedder
from assistant.settings import Settings
from stores.base import Follower, IngestReport

logger = logging.getLogger("assistant.index")

State = Literal["idle", "running", "succeeded", "failed"]


@dataclass(frozen=True)
class ReindexStatus:
    """The latest re-index run of this process."""

    state: State = "idle"
    started_at: float | None = None
    finished_at: float | None = None
    message: str | None = None
    build: str | None = None
    # What the running ingest is doing: its stage ("parse", "embed", "write") and how far it is through it.
    stage: str | None = None
    done: int = 0
    total: int = 0
    reason: str | None = None  # why it runs: "requested", or the corpus change that asked for it


def _summary(report: IngestReport) -> str:
    """One sentence on what the run did, in the terms of its backend."""
    if report.build_path is None and report.version:
        verb = "Database unchanged" if not (report.written or report.removed) else "Updated database"
        return (
            f"{verb} (version {report.version}): {report.documents} documents ({len(report.written)} written, "
            f"{report.unchanged} unchanged, {len(report.removed)} removed), {report.passages} passages, "
            f"{report.case_studies} case studies in {report.seconds:.1f} s."
        )
    verb = "Index unchanged, reused" if report.reused_build else "Built index"
    return (
        f"{verb}: {report.documents} documents, {report.passages} passages, {report.case_studies} case studies "
        f"in {report.seconds:.1f} s."
    )


class Reindexer:
    """Runs ingest into the configured store in a background thread, one run at a time, then follows it."""

    def __init__(self, settings: Settings, follower: Follower) -> None:
        self.settings, self.follower = settings, follower
        # One model for every run, in the runtime the settings ask for (ONNX by default, no torch in the server);
        # it loads at the first run that has something to embed. Runs never overlap, so they never share it at once.
        self.embedder = ingest_embedder(settings, log=logger.info, in_server=True)
        self.status = ReindexStatus()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

        self._again: str | None = None  # a corpus change made while a run was reading the folder

    def start(self, force: bool = False, reason: str = "requested") -> bool:
        """Start a run; False (and nothing started) when one is already running."""
        with self._lock:
            if self.status.state == "running":
                return False
            self._begin(force, reason)
            return True

    def follow_change(self, reason: str) -> None:
        """The corpus folder changed: re-index now, or straight after the run in progress (which may have read
        the folder before the change)."""
        with self._lock:
            if self.status.state == "running":
                self._again = reason
            else:
                self._begin(False, reason)

    def _begin(self, force: bool, reason: str) -> None:
        self.status = ReindexStatus("running", started_at=time.time(), reason=reason)
        self._thread = threading.Thread(target=self._run_and_follow, args=(force,), name="reindex", daemon=True)
        self._thread.start()

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.status = replace(self.status, stage=stage, done=done, total=total)

    def _run_and_follow(self, force: bool) -> None:
        self._run(force)
        with self._lock:
            # A run started meanwhile by `follow_change` picks up any later change itself when it ends.
            if self._again is not None and self.status.state != "running":
                reason, self._again = self._again, None
                self._begin(False, reason)

    def _run(self, force: bool) -> None:
        from ingest.pipeline import ingest_into
        from stores.backends import open_writer

        s = self.settings
        try:
            writer = open_writer(s.index_dir, s.database_url)
            try:
                report = ingest_into(
                    writer,
                    s.corpus_dir,
                    s.model,
                    embedder=self.embedder,
                    force=force,
                    progress=self._progress,
                    max_bytes=s.max_document_bytes,
                )
            finally:
                writer.close()
            self.follower.check()
            message = _summary(report)
            if report.skipped:
                message += " Skipped: " + "; ".join(f"{name} ({reason})" for name, reason in report.skipped)
            if self.follower.error:
                state: State = "failed"
                message += f" Not serving it: {self.follower.error}"
            elif not self.follower.enabled:
                state = "succeeded"
                message += " This service was started on another index; restart it to serve the new build."
            else:
                state = "succeeded"
            build = report.build_path.name if report.build_path else None
            self.status = replace(self.status, state=state, finished_at=time.time(), message=message, build=build)
        except Exception as exc:  # reported through GET /admin/reindex; the old corpus stays served
            logger.exception("Re-index failed")
            self.status = replace(
                self.status, state="failed", finished_at=time.time(), message=f"{exc.__class__.__name__}: {exc}"
            )
