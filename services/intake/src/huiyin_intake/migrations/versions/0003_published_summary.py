"""petitions.published_summary: the summary as events carry it, identity redacted

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("petitions") as batch:
        batch.add_column(sa.Column("published_summary", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("petitions") as batch:
        batch.drop_column("published_summary")
