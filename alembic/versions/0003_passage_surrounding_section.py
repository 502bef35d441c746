"""A case study's box printed inside a section it does not head keeps that section apart from its own: searched by,
never shown as where the case study sits.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows written before this stay readable, and the next ingest (a new parser version) fills them.
    op.add_column("passages", sa.Column("surrounding_section", sa.Text))


def downgrade() -> None:
    op.drop_column("passages", "surrounding_section")
