"""Re-indexing on request: ingest the corpus folder into the configured store in a background thread, one
run at a time, then let the server's follower swap the new corpus in."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Literal

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
        self.status = ReindexStatus()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, force: bool = False) -> bool:
        """Start a run; False (and nothing started) when one is already running."""
        with self._lock:
            if self.status.state == "running":
                return False
            self.status = ReindexStatus("running", started_at=time.time())
            self._thread = threading.Thread(target=self._run, args=(force,), name="reindex", daemon=True)
            self._thread.start()
            return True

    def _run(self, force: bool) -> None:
        from ingest.pipeline import ingest_into
        from stores.backends import open_writer

        s = self.settings
        try:
            writer = open_writer(s.index_dir, s.database_url)
            try:
                report = ingest_into(writer, s.corpus_dir, s.model, force=force)
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
