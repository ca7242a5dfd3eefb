"""initial: petition clocks, outbox, inbox

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

_OPENED = (
    "office_id",
    "registration_number",
    "received_at",
    "start_date",
    "due_date",
    "explanation",
    "opened_at",
)


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "petition_clocks",
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("clock", sa.String(length=40), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=True),
        sa.Column("registration_number", sa.String(length=64), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("explanation", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("met_at", UTCDateTime(), nullable=True),
        sa.Column("met_event", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "("
            + " AND ".join(f"{c} IS NULL" for c in _OPENED)
            + ") OR ("
            + " AND ".join(f"{c} IS NOT NULL" for c in _OPENED)
            + ")",
            name=op.f("ck_petition_clocks_opened_together"),
        ),
        sa.CheckConstraint(
            "(met_at IS NULL) = (met_event IS NULL)",
            name=op.f("ck_petition_clocks_met_together"),
        ),
        sa.CheckConstraint(
            "opened_at IS NOT NULL OR met_at IS NOT NULL",
            name=op.f("ck_petition_clocks_not_empty"),
        ),
        sa.PrimaryKeyConstraint("petition_id", "clock", name=op.f("pk_petition_clocks")),
    )


def downgrade() -> None:
    op.drop_table("petition_clocks")
    drop_messaging_tables()
