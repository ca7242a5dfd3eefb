"""initial: routing requests, outbox, inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiyin_shared.db.migrations import create_messaging_tables, drop_messaging_tables
from huiyin_shared.db.types import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "routing_requests",
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_category", sa.String(length=64), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_routing_requests")),
    )


def downgrade() -> None:
    op.drop_table("routing_requests")
    drop_messaging_tables()
