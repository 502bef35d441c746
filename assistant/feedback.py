"""Feedback on answers: a small SQLAlchemy store (SQLite by default, any SQLAlchemy URL later) and its CSV export."""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, String, Text, create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from assistant.settings import Settings
from stores.backends import is_postgres

# Long enough to ride out another worker's write burst, short enough that a stuck lock surfaces as an error.
BUSY_TIMEOUT_MS = 5_000
CSV_COLUMNS = ("id", "created_at", "rating", "reason", "question", "answer", "comment", "passage_ids")
# A running service deletes expired feedback at most this often (and never lists it in between).
PURGE_EVERY_S = 3600
# Spreadsheet apps run cells starting with these as formulas; feedback text is user input, so defuse it.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Base(DeclarativeBase):
    pass


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    passage_ids: Mapped[list[str]] = mapped_column(JSON)


@dataclass(frozen=True)
class FeedbackEntry:
    """One stored piece of feedback."""

    id: int
    created_at: datetime
    question: str
    answer: str
    rating: str
    reason: str | None
    comment: str | None
    passage_ids: tuple[str, ...]

    @classmethod
    def from_row(cls, row: FeedbackRow) -> FeedbackEntry:
        created = row.created_at
        # SQLite keeps no time zone; every value was written in UTC.
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        return cls(
            row.id, created, row.question, row.answer, row.rating, row.reason, row.comment, tuple(row.passage_ids)
        )


def feedback_url(settings: Settings) -> str:
    """The shared PostgreSQL database (`LOCALITIES_DATABASE_URL`) if set, else a SQLite file at `settings.feedback_path`."""
    return settings.database_url or f"sqlite:///{settings.feedback_path}"


WAL_ATTEMPTS = 5


def _sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        # busy_timeout makes writers queue, not fail; WAL lets the admin export read while API workers write.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        for attempt in range(WAL_ATTEMPTS):
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                # Two workers opening a new file at once can each hold the lock the other's switch to WAL waits for,
                # and SQLite refuses one of them at once rather than wait: a fresh clone's CI saw 'database is
                # locked' at start-up. Once either has switched, the file stays in WAL and the retry is a no-op.
                if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        cursor.close()


def _create_tables(engine: Engine, attempts: int = 3) -> None:
    """Create the feedback table if missing, when several worker processes may be opening the same file at once.

    `create_all` checks, then creates; another process can create the table in between, and SQLite then refuses
    the CREATE. Checking again sees the other process's table and creates only what is still missing.
    """
    for attempt in range(attempts):
        try:
            Base.metadata.create_all(engine)
            return
        except OperationalError as exc:
            if "already exists" not in str(exc) or attempt == attempts - 1:
                raise


class FeedbackStore:
    """Adds, lists and purges feedback; safe to share between threads (one session per call).

    With `retention_days`, feedback older than that is never listed and is deleted on opening and hourly after.
    """

    def __init__(self, url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, retention_days: int | None = None) -> None:
        self.retention_days = retention_days
        self._purged_at = float("-inf")
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        postgres = is_postgres(url)
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
            _sqlite_pragmas(self.engine, busy_timeout_ms)
        elif postgres:
            from stores.postgres.schema import engine_for, migrate

            # In PostgreSQL the table belongs to the Alembic migrations, beside the corpus it is feedback on.
            self.engine = engine_for(url)
            migrate(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        if not postgres:
            _create_tables(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def add(
        self,
        *,
        question: str,
        answer: str,
        rating: str,
        reason: str | None = None,
        comment: str | None = None,
        passage_ids: Sequence[str] = (),
        created_at: datetime | None = None,
    ) -> FeedbackEntry:
        """Store one piece of feedback and return it with its id and timestamp."""
        row = FeedbackRow(
            created_at=created_at or datetime.now(UTC),
            question=question,
            answer=answer,
            rating=rating,
            reason=reason,
            comment=comment,
            passage_ids=list(passage_ids),
        )
        with self._sessions.begin() as session:
            session.add(row)
        if time.monotonic() - self._purged_at > PURGE_EVERY_S:
            self.purge_expired()
        return FeedbackEntry.from_row(row)

    def entries(self, limit: int | None = None, offset: int = 0, *, newest_first: bool = True) -> list[FeedbackEntry]:
        order = FeedbackRow.id.desc() if newest_first else FeedbackRow.id.asc()
        query = select(FeedbackRow).order_by(order).offset(offset).limit(limit)
        if self.retention_days is not None:
            query = query.where(FeedbackRow.created_at >= datetime.now(UTC) - timedelta(days=self.retention_days))
        with Session(self.engine) as session:
            rows = session.scalars(query)
            return [FeedbackEntry.from_row(r) for r in rows]

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(FeedbackRow)) or 0)

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete feedback older than `retention_days`; returns how many rows went."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
        with self._sessions.begin() as session:
            result = session.execute(delete(FeedbackRow).where(FeedbackRow.created_at < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)

    def purge_expired(self) -> int:
        """Delete feedback past this store's retention period (nothing without one)."""
        self._purged_at = time.monotonic()
        return self.purge(self.retention_days) if self.retention_days is not None else 0

    def journal_mode(self) -> str | None:
        """SQLite's journal mode ('wal'), or None for other databases."""
        if not self.is_sqlite:
            return None
        with self.engine.connect() as connection:
            return str(connection.execute(text("PRAGMA journal_mode")).scalar())

    def close(self) -> None:
        self.engine.dispose()


def open_feedback(settings: Settings) -> FeedbackStore:
    """The configured store, with feedback past its retention period already deleted."""
    store = FeedbackStore(feedback_url(settings), retention_days=settings.feedback_retention_days)
    store.purge_expired()
    return store


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def to_csv(entries: Iterable[FeedbackEntry]) -> str:
    """CSV (RFC 4180) of feedback, one row per entry, with formula-like cells defused for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        cells = [e.created_at.isoformat(), e.rating, e.reason or "", e.question, e.answer, e.comment or ""]
        writer.writerow([e.id, *(_cell(c) for c in cells), " ".join(e.passage_ids)])
    return buffer.getvalue()
