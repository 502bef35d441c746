"""Following the file index: a server swaps in each good build that `localities ingest` publishes.

A published build is picked up by polling the `current` symlink, which costs one readlink. The new build is
loaded beside the old one and swapped in with `Served.swap`, so requests in flight finish on the build they
started with. A build that cannot be read is never swapped in: the service keeps answering from the last good
build and reports the damage in /health.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from core.errors import AssistantError, IndexCorrupt
from stores.base import Served
from stores.files import schema
from stores.files.read import FileStore, open_build

logger = logging.getLogger("assistant.index")


class IndexWatcher:
    """Keeps an Assistant on the index directory's current build, swapping when `current` moves."""

    def __init__(self, assistant: Served, index_dir: Path) -> None:
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
        builds = (self.index_dir / schema.BUILDS).resolve()
        return served is not None and served.resolve().parent == builds

    def check(self) -> bool:
        """Swap to the published build if `current` moved; True when a swap happened."""
        if not self.enabled:
            return False
        with self._lock:
            link = self.index_dir / schema.CURRENT
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
