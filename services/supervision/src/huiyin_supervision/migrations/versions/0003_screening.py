"""screening flags and runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiyin_shared.db.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "screening_flags",
        sa.Column("flag_id", sa.Uuid(), nullable=False),
        sa.Column("run_key", sa.String(40), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("petitioner_ref", sa.String(80), nullable=True),
        sa.Column("subject_category", sa.String(64), nullable=True),
        sa.Column("petition_ids", sa.JSON(), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("flagged_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("flag_id", name=op.f("pk_screening_flags")),
    )
    op.create_index("ix_screening_flags_flagged_at", "screening_flags", ["flagged_at"])
    op.create_table(
        "screening_runs",
        sa.Column("run_key", sa.String(40), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("run_key", name=op.f("pk_screening_runs")),
    )


def downgrade() -> None:
    op.drop_table("screening_runs")
    op.drop_table("screening_flags")
