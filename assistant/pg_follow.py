"""Replicas follow the corpus: each swaps in the newest PostgreSQL snapshot soon after any process ingests.

Every few seconds a background thread reads `corpus_state.version` (one primary-key read); when it has
moved, the new snapshot is loaded beside the old one and swapped in with `Assistant.swap`, so requests in
flight finish on the version they started with.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING

from assistant.pg_store import PgStore

if TYPE_CHECKING:
    from assistant.service import Assistant

logger = logging.getLogger("assistant.pg_follow")

# How often a replica asks whether the corpus changed.
CORPUS_CHECK_SECONDS = 2.0


def follow_corpus(assistant: Assistant, every: float = CORPUS_CHECK_SECONDS) -> threading.Thread:
    """Swap a newer corpus version into `assistant` whenever one is committed (checked every `every` s).

    The thread ends by itself once the assistant is gone or no longer served from PostgreSQL.
    """
    target = weakref.ref(assistant)
    state = _FollowState()

    def poll() -> None:
        while True:
            time.sleep(every)
            if not _catch_up(target, state):
                return

    thread = threading.Thread(target=poll, name="corpus-follower", daemon=True)
    thread.start()
    return thread


class _FollowState:
    def __init__(self) -> None:
        self.rejected: set[int] = set()  # versions embedded with another model
        self.failing = False  # the database did not answer last time (said once, not every poll)


def _catch_up(target: weakref.ref[Assistant], state: _FollowState) -> bool:
    """One check of the corpus version; False once there is nothing left to follow."""
    assistant = target()
    if assistant is None or not isinstance(assistant.store, PgStore):
        return False
    store = assistant.store
    try:
        version = store.current_version()
        if version == store.version or version in state.rejected:
            state.failing = False
            return True
        fresh = PgStore.load(store.engine)
    except Exception as exc:  # noqa: BLE001 - a database hiccup must not end the follower
        if not state.failing:
            logger.warning("Cannot check the corpus version (will keep trying): %s", " ".join(str(exc).split()))
        state.failing = True
        return True
    state.failing = False
    if fresh.manifest.get("model") != store.manifest.get("model"):
        # Queries are encoded with the model this process loaded; other vectors would be nonsense.
        state.rejected.add(fresh.version)
        logger.error("Corpus version %s was embedded with another model; restart to serve it.", fresh.version)
        return True
    assistant.swap(fresh)
    logger.info("Serving corpus version %s (was %s)", fresh.version, store.version)
    return True
