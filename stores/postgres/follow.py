"""Replicas follow the corpus: each swaps in the newest PostgreSQL snapshot soon after any process ingests.

Every few seconds a background thread reads `corpus_state.version` (one primary-key read); when it has
moved, the new snapshot is loaded beside the old one and swapped in with `Served.swap`, so requests in
flight finish on the version they started with. Only a server starts one: a one-shot command has nothing
to follow.
"""

from __future__ import annotations

import logging
import threading
import weakref
from pathlib import Path

from stores.base import Served
from stores.postgres.read import PgStore

logger = logging.getLogger("stores.postgres.follow")


class CorpusFollower:
    """Keeps a served assistant on the database's newest corpus version (checked every `interval_s`)."""

    def __init__(self, served: Served) -> None:
        # Weak, so a forgotten assistant is not kept alive by its follower: the thread then ends by itself.
        self._served = weakref.ref(served)
        self.error: str | None = None  # a build-level failure to report in /health: a database has none
        self._failing = False  # the database did not answer last time (said once, not every poll)
        self._rejected: set[int] = set()  # versions embedded with another model
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def served_build(self) -> Path | None:
        """A database has no build folder."""
        return None

    @property
    def enabled(self) -> bool:
        served = self._served()
        return served is not None and isinstance(served.store, PgStore)

    def check(self) -> bool:
        """Swap in a newer corpus version if one was committed; True when a swap happened."""
        served = self._served()
        if served is None or not isinstance(served.store, PgStore):
            return False
        store = served.store
        try:
            version = store.current_version()
            if version == store.version or version in self._rejected:
                self._failing = False
                return False
            fresh = PgStore.load(store.engine)
        except Exception as exc:  # noqa: BLE001 - a database hiccup must not end the follower
            if not self._failing:
                logger.warning("Cannot check the corpus version (will keep trying): %s", " ".join(str(exc).split()))
            self._failing = True
            return False
        self._failing = False
        if fresh.manifest.get("model") != store.manifest.get("model"):
            # Queries are encoded with the model this process loaded; other vectors would be nonsense.
            self._rejected.add(fresh.version)
            logger.error("Corpus version %s was embedded with another model; restart to serve it.", fresh.version)
            return False
        served.swap(fresh)
        logger.info("Serving corpus version %s (was %s)", fresh.version, store.version)
        return True

    def start(self, interval_s: float) -> None:
        """Poll in a daemon thread every `interval_s` seconds (0: never)."""
        if interval_s <= 0 or not self.enabled:
            return

        def poll() -> None:
            while not self._stop.wait(interval_s) and self.enabled:
                self.check()

        self._thread = threading.Thread(target=poll, name="corpus-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
