"""The one place a backend is chosen: PostgreSQL when a database URL is configured, else the index files.

To add a store backend: give it a folder beside `files/` and `postgres/` with `read.py` (a `PassageStore`),
`write.py` (a `StoreWriter` for ingest) and `follow.py` (a `Follower` for servers), then choose it here —
in `is_postgres`'s place, a test on the configured URL, and in the three `open_…` functions below.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from stores.base import Follower, PassageStore, Served, StoreWriter


def is_postgres(database_url: str | None) -> bool:
    """Whether a database URL names PostgreSQL (`postgresql://…`, `postgresql+psycopg://…`).

    The one test of "is this PostgreSQL?": everything that depends on the backend asks here.
    """
    return bool(database_url) and urlsplit(str(database_url)).scheme.split("+")[0] == "postgresql"


def open_store(index_dir: Path, database_url: str | None, *, verify: bool = False) -> PassageStore:
    """The passages to serve: the database's when a PostgreSQL URL is given, else the index's current build.

    A missing or unreadable one raises IndexNotBuilt or IndexCorrupt saying why; with `verify` (a server, before
    it serves) a file build also has its vectors self-checked, so damage that still loads is caught too.
    """
    if is_postgres(database_url):
        from stores.postgres.read import PgStore

        return PgStore.open(str(database_url))
    from stores.files.read import FileStore, open_build

    return open_build(index_dir) if verify else FileStore.open(index_dir)


def open_writer(index_dir: Path, database_url: str | None, *, index_type: str = "auto") -> StoreWriter:
    """Where ingest writes: the database, reusing the vectors of an existing file index (moving embeds nothing),
    or a new build of the index directory. Close it when done."""
    if is_postgres(database_url):
        from stores.files.read import previous_vectors
        from stores.postgres.write import PgWriter

        known: Mapping[str, np.ndarray] = previous_vectors(index_dir)
        return PgWriter(str(database_url), known)
    from stores.files.write import FileWriter

    return FileWriter(index_dir, index_type)


def follower(served: Served, index_dir: Path) -> Follower:
    """What keeps a server on the newest corpus: the database's version, or the index directory's `current`."""
    if served.store.backend == "postgresql":
        from stores.postgres.follow import CorpusFollower

        return CorpusFollower(served)
    from stores.files.follow import IndexWatcher

    return IndexWatcher(served, index_dir)
