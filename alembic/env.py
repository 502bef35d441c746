"""Alembic environment: run in-process by `stores.postgres.schema.migrate`, or from the command line.

In-process, the caller hands over a connection already holding the migration lock (config.attributes);
from the command line, the database is the app's own setting, LOCALITIES_DATABASE_URL.
"""

from __future__ import annotations

from logging.config import fileConfig

from sqlalchemy import Connection

from alembic import context
from assistant.feedback import Base as FeedbackBase
from stores.postgres.schema import metadata

config = context.config
# What the code declares, for `alembic check` and `revision --autogenerate`: the corpus tables and feedback.
target_metadata = [metadata, FeedbackBase.metadata]


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from assistant.settings import get_settings
    from stores.backends import is_postgres
    from stores.postgres.schema import engine_for

    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    if not url or not is_postgres(url):
        raise SystemExit("Set LOCALITIES_DATABASE_URL=postgresql://… (or pass -x / sqlalchemy.url) to migrate.")
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against the database.")
run_migrations_online()
