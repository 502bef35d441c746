"""A passage's marks: where its text goes on under another heading or onto another printed page, so that a quoted
sentence is cited where it is printed rather than where its passage opens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows written before this stay readable (cited under their passage's own section and page), and the
    # next ingest (a new parser version) fills them.
    op.add_column("passages", sa.Column("marks", JSONB))


def downgrade() -> None:
    op.drop_column("passages", "marks")
