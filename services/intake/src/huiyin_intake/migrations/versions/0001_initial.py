"""initial: petitions, registration counters, outbox, inbox

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
        "petitions",
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=True),
        sa.Column("petitioner_ref", sa.String(length=80), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("accused_unit_ids", sa.JSON(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("subject_category", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("not_accepted_reason", sa.String(length=64), nullable=True),
        sa.Column("proper_channel", sa.String(length=500), nullable=True),
        sa.Column("acceptance_notice_due", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_petitions")),
        sa.UniqueConstraint("registration_number", name=op.f("uq_petitions_registration_number")),
    )
    op.create_index("ix_petitions_status_registered_at", "petitions", ["status", "registered_at"])
    op.create_index(
        "ix_petitions_office_id_registered_at", "petitions", ["office_id", "registered_at"]
    )
    op.create_index("ix_petitions_registered_at", "petitions", ["registered_at"])
    op.create_table(
        "registration_counters",
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "year", name=op.f("pk_registration_counters")),
    )


def downgrade() -> None:
    op.drop_table("registration_counters")
    op.drop_index("ix_petitions_registered_at", table_name="petitions")
    op.drop_index("ix_petitions_office_id_registered_at", table_name="petitions")
    op.drop_index("ix_petitions_status_registered_at", table_name="petitions")
    op.drop_table("petitions")
    drop_messaging_tables()
