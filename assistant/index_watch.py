"""Serving the newest good index build: open one safely, follow `index/current`, re-index on request.

A build published by `localities ingest` (or by `POST /admin/reindex`) is picked up by polling the
`current` symlink, which costs one readlink. The new build is loaded beside the old one and swapped in with
`Assistant.swap`, so requests in flight finish on the build they started with. A build that cannot be read
is never swapped in: the service keeps answering from the last good build and reports the damage in /health.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.config import Settings
from assistant.errors import AssistantError, IndexCorrupt
from assistant.service import Assistant
from assistant.store import FileStore
from ingest import index_store

logger = logging.getLogger("assistant.index")


def one_line(text: str, limit: int = 300) -> str:
    """A message on one line and of readable length: FAISS errors carry newlines and C++ signatures."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def open_build(index_dir: Path, build: Path | None = None) -> FileStore:
    """`build` (default: the current one) of an index directory, or IndexNotBuilt / IndexCorrupt saying why.

    FileStore catches the usual read errors; anything else a damaged file provokes is reported the same way,
    so a bad index is always a one-line message and never a traceback or an empty result.
    """
    link = index_dir / index_store.CURRENT
    if build is None:
        if link.is_symlink() and not link.exists():
            raise IndexCorrupt(
                f"The index at '{index_dir}' points at a build that no longer exists ({link.readlink()}). "
                "Run `localities ingest --force` to rebuild it."
            )
        build = index_store.current_build_path(index_dir)
    if build is None:
        return FileStore.open(index_dir)  # raises IndexNotBuilt with the standard message
    if not (build / "manifest.json").is_file():
        raise IndexCorrupt(
            f"The index build '{build}' has no manifest.json (an unfinished or damaged build). "
            "Run `localities ingest --force` to rebuild it."
        )
    try:
        store = FileStore(build)
        verify(store)
        return store
    except AssistantError as exc:
        raise type(exc)(" ".join(str(exc).split())) from exc
    except Exception as exc:  # any failure to read a build is damage, whatever raised it
        raise IndexCorrupt(
            f"The index at '{build}' is damaged ({exc.__class__.__name__}: {one_line(str(exc))}). "
            "Run `localities ingest --force` to rebuild it."
        ) from exc


# Self-searches checked when opening a build: all of a small index, an even sample of a large one.
VERIFY_SAMPLE = 512


def verify(store: FileStore) -> None:
    """Catch damage that still loads: flipped bytes in vectors.npy or dense.faiss, a manifest of the wrong shape.

    Every stored embedding is a unit vector, and an exact (flat) FAISS index must find each passage's own
    vector with a score of 1. (Builds since checksums were added are also
    checked file by file when FileStore opens them; this catches damage in older builds too.)
    """
    if not isinstance(store.manifest, dict) or not isinstance(store.manifest.get("model"), str):
        raise TypeError("manifest.json is not an index manifest")
    ids = [p.id for p in store.passages()]
    rows = [s.row for i in ids for s in store.sentences_of(i)]
    vectors = store.passage_vectors(ids)
    with np.errstate(all="ignore"):  # garbage floats overflow; they are counted below, not warned about
        norms = np.linalg.norm(np.vstack([vectors, store.sentence_vectors(rows)]) if rows else vectors, axis=1)
        bad = int(np.count_nonzero(~(np.abs(norms - 1.0) < 1e-3)))
    if bad:
        raise ValueError(f"{bad} vectors in vectors.npy are not unit vectors")
    if store.manifest.get("dense_index") != "flat":
        return  # HNSW search is approximate: a passage missing from its own neighbours proves nothing
    for i in range(0, len(ids), max(1, len(ids) // VERIFY_SAMPLE)):
        score = dict(store.dense_search(vectors[i], 8)).get(ids[i])
        if score is None or abs(score - 1.0) > 1e-3:
            raise ValueError(f"dense.faiss does not hold the vector of passage {ids[i]} (row {i})")


class IndexWatcher:
    """Keeps an Assistant on the index directory's current build, swapping when `current` moves."""

    def __init__(self, assistant: Assistant, index_dir: Path) -> None:
        self.assistant = assistant
        self.index_dir = index_dir
        self.error: str | None = None  # why the published build is not the one being served
        self._failed: Path | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def served_build(self) -> Path | None:
        path = getattr(self.assistant.store, "path", None)
        return Path(path) if path is not None else None

    @property
    def enabled(self) -> bool:
        """Only a store loaded from this index directory is followed; an injected one is left alone."""
        served = self.served_build()
        builds = (self.index_dir / index_store.BUILDS).resolve()
        return served is not None and served.resolve().parent == builds

    def check(self) -> bool:
        """Swap to the published build if `current` moved; True when a swap happened."""
        if not self.enabled:
            return False
        with self._lock:
            link = self.index_dir / index_store.CURRENT
            try:
                published = link.resolve(strict=True)
            except OSError:
                return False  # no build, or one mid-replacement: keep serving what we have
            served = self.served_build()
            if published == served:  # also after `current` was pointed back at the good build by hand
                self._failed, self.error = None, None
                return False
            if published == self._failed:
                return False
            try:
                store = open_build(self.index_dir, published)
                self._check_compatible(store)
            except AssistantError as exc:
                # Remembered, so a bad build is reported once and not re-read every poll.
                self._failed, self.error = published, str(exc)
                logger.error("Not serving the new index build %s: %s", published.name, exc)
                return False
            self.assistant.swap(store)
            self._failed, self.error = None, None
            logger.info("Serving index build %s (was %s)", published.name, served.name if served else None)
            return True

    def _check_compatible(self, store: FileStore) -> None:
        """A build embedded with another model than the running encoder would return nonsense."""
        old, new = self.assistant.store.manifest.get("model"), store.manifest.get("model")
        if old != new:
            raise IndexCorrupt(
                f"The new index build '{store.path.name}' was embedded with '{new}', but the service encodes "
                f"queries with '{old}'. Restart the service to switch models."
            )

    def start(self, interval_s: float) -> None:
        """Poll in a daemon thread every `interval_s` seconds (0: never)."""
        if interval_s <= 0 or not self.enabled:
            return

        def poll() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.check()
                except Exception:  # the poller must outlive any one bad build
                    logger.exception("Checking for a new index build failed")

        self._thread = threading.Thread(target=poll, name="index-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


State = Literal["idle", "running", "succeeded", "failed"]


@dataclass(frozen=True)
class ReindexStatus:
    """The latest re-index run of this process."""

    state: State = "idle"
    started_at: float | None = None
    finished_at: float | None = None
    message: str | None = None
    build: str | None = None


class Reindexer:
    """Runs the ingest pipeline in a background thread, one run at a time, then swaps to its build."""

    def __init__(self, settings: Settings, watcher: IndexWatcher) -> None:
        self.settings, self.watcher = settings, watcher
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
        from ingest.pipeline import ingest

        s = self.settings
        try:
            report = ingest(s.corpus_dir, s.index_dir, s.model, force=force)
            self.watcher.check()
            message = (
                f"{'Index unchanged, reused' if report.reused_build else 'Built index'}: {report.documents} documents, "
                f"{report.passages} passages, {report.case_studies} case studies in {report.seconds:.1f} s."
            )
            if report.skipped:
                message += " Skipped: " + "; ".join(f"{name} ({reason})" for name, reason in report.skipped)
            if self.watcher.error:
                state: State = "failed"
                message += f" Not serving it: {self.watcher.error}"
            elif not self.watcher.enabled:
                state = "succeeded"
                message += " This service was started on another index; restart it to serve the new build."
            else:
                state = "succeeded"
            build = report.build_path.name if report.build_path else None
            self.status = replace(self.status, state=state, finished_at=time.time(), message=message, build=build)
        except Exception as exc:  # reported through GET /admin/reindex; the old index stays served
            logger.exception("Re-index failed")
            self.status = replace(
                self.status, state="failed", finished_at=time.time(), message=f"{exc.__class__.__name__}: {exc}"
            )
