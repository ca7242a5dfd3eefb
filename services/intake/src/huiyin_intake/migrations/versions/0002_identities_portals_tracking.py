"""identities (encrypted), identity reads, portal keys, idempotency, rate limits, tracking

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from huiyin_shared.db.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _petition_columns() -> tuple[sa.Column[Any], ...]:
    return (
        sa.Column("referral_reason", sa.String(length=500), nullable=True),
        sa.Column("accused_persons", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("address_text", sa.String(length=500), nullable=True),
        sa.Column("requests", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("portal_id", sa.String(length=64), nullable=True),
        sa.Column("original_petition_id", sa.Uuid(), nullable=True),
        sa.Column("urgent_reported_at", UTCDateTime(), nullable=True),
        sa.Column("query_code_hash", sa.String(length=64), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("petitions") as batch:
        for column in _petition_columns():
            batch.add_column(column)
    op.create_index("ix_petitions_petitioner_ref", "petitions", ["petitioner_ref"])
    op.create_index("ix_petitions_original_petition_id", "petitions", ["original_petition_id"])

    op.create_table(
        "identities",
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_index", sa.String(length=64), nullable=True),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("encrypted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_identities")),
    )
    op.create_index("ix_identities_id_number_index", "identities", ["id_number_index"])
    op.create_index("ix_identities_phone_index", "identities", ["phone_index"])
    op.create_index("ix_identities_key_id", "identities", ["key_id"])

    op.create_table(
        "identity_reads",
        sa.Column("read_id", sa.Uuid(), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("reader_id", sa.String(length=64), nullable=False),
        sa.Column("reader_role", sa.String(length=64), nullable=False),
        sa.Column("reader_unit_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("read_id", name=op.f("pk_identity_reads")),
    )
    op.create_index("ix_identity_reads_petition_id", "identity_reads", ["petition_id"])

    op.create_table(
        "portal_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("portal_id", sa.String(length=64), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("replaced_by", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_portal_keys")),
    )
    op.create_index("ix_portal_keys_portal_id", "portal_keys", ["portal_id"])

    op.create_table(
        "idempotency_records",
        sa.Column("portal_id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=True),
        sa.Column("nonce", sa.LargeBinary(), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint(
            "portal_id", "idempotency_key", name=op.f("pk_idempotency_records")
        ),
    )
    op.create_index("ix_idempotency_records_created_at", "idempotency_records", ["created_at"])

    op.create_table(
        "rate_limit_windows",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start", name=op.f("pk_rate_limit_windows")),
    )

    op.create_table(
        "timeline_entries",
        sa.Column("entry_key", sa.String(length=120), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("entry_key", name=op.f("pk_timeline_entries")),
    )
    op.create_index("ix_timeline_entries_petition_id", "timeline_entries", ["petition_id"])
    op.create_index("ix_timeline_entries_case_id", "timeline_entries", ["case_id"])

    op.create_table(
        "case_links",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_links")),
    )
    op.create_index("ix_case_links_petition_id", "case_links", ["petition_id"])


def downgrade() -> None:
    for table in (
        "case_links",
        "timeline_entries",
        "rate_limit_windows",
        "idempotency_records",
        "portal_keys",
        "identity_reads",
        "identities",
    ):
        op.drop_table(table)
    op.drop_index("ix_petitions_original_petition_id", table_name="petitions")
    op.drop_index("ix_petitions_petitioner_ref", table_name="petitions")
    with op.batch_alter_table("petitions") as batch:
        for column in reversed(_petition_columns()):
            batch.drop_column(column.name)
