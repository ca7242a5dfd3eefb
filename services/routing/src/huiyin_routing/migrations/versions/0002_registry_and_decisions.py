"""registry versions and changes; routing decisions and bounces

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from huiyin_shared.db.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Document = sa.JSON().with_variant(JSONB(), "postgresql")
Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("routing_requests") as batch:
        batch.add_column(sa.Column("facts", Document, nullable=True))
        batch.add_column(sa.Column("lead_unit_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("participating_unit_ids", Document, nullable=True))
        batch.add_column(
            sa.Column("bounce_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("decided_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_routing_requests_status", ["status"])
        batch.create_index("ix_routing_requests_lead_unit_id", ["lead_unit_id"])
    op.create_table(
        "routing_decisions",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=True),
        sa.Column("lead_unit_id", sa.String(length=64), nullable=True),
        sa.Column("participating_unit_ids", Document, nullable=False),
        sa.Column("deadline_class", sa.String(length=40), nullable=True),
        sa.Column("authority", sa.Text(), nullable=True),
        sa.Column("registry_version", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("manual_reason", sa.Text(), nullable=True),
        sa.Column("explanation", Document, nullable=False),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_routing_decisions")),
        sa.UniqueConstraint(
            "petition_id", "sequence", name="uq_routing_decisions_petition_sequence"
        ),
    )
    op.create_table(
        "routing_bounces",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("returned_at", UTCDateTime(), nullable=False),
        sa.Column("returned_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_bounces")),
    )
    op.create_index("ix_routing_bounces_petition_id", "routing_bounces", ["petition_id"])
    op.create_table(
        "registry_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("counts", Document, nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_registry_versions")),
    )
    op.create_table(
        "registry_changes",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", Document, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_changes")),
    )
    op.create_index("ix_registry_changes_version", "registry_changes", ["version"])


def downgrade() -> None:
    op.drop_index("ix_registry_changes_version", table_name="registry_changes")
    op.drop_table("registry_changes")
    op.drop_table("registry_versions")
    op.drop_index("ix_routing_bounces_petition_id", table_name="routing_bounces")
    op.drop_table("routing_bounces")
    op.drop_table("routing_decisions")
    with op.batch_alter_table("routing_requests") as batch:
        batch.drop_index("ix_routing_requests_lead_unit_id")
        batch.drop_index("ix_routing_requests_status")
        batch.drop_column("decided_at")
        batch.drop_column("bounce_count")
        batch.drop_column("participating_unit_ids")
        batch.drop_column("lead_unit_id")
        batch.drop_column("facts")
