"""Passages whose printed page is unknown (extraction lost a page break nearby) keep the first and last page their
words can be on, so a citation says 'page 70 or 71' rather than nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows written before this stay readable, and the next ingest (a new parser version) fills them.
    op.add_column("passages", sa.Column("earliest_page", sa.Integer))
    op.add_column("passages", sa.Column("latest_page", sa.Integer))


def downgrade() -> None:
    op.drop_column("passages", "latest_page")
    op.drop_column("passages", "earliest_page")
