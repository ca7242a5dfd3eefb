"""cases, their clocks and timers, history, supervision notices, petitions seen

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huiyin_shared.db.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("registration_number", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("division_code", sa.String(12), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("deadline_class", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_category", sa.String(64), nullable=False),
        sa.Column("collective", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("handler_id", sa.String(64), nullable=True),
        sa.Column("owner_leader_id", sa.String(64), nullable=True),
        sa.Column("escalation_level", sa.String(20), nullable=False),
        sa.Column("escalation", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("review_tier", sa.String(20), nullable=True),
        sa.Column("original_case_id", sa.Uuid(), nullable=True),
        sa.Column("result_summary", sa.Text(), nullable=True),
        sa.Column("feedback_satisfied", sa.Boolean(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
        sa.UniqueConstraint("decision_id", "unit_id", name=op.f("uq_cases_decision_id")),
    )
    op.create_index("ix_cases_unit_status", "cases", ["unit_id", "status"])
    op.create_index("ix_cases_petition", "cases", ["petition_id"])
    op.create_table(
        "case_clocks",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("clock", sa.String(40), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("periodic", sa.Boolean(), nullable=False),
        sa.Column("paused_on", sa.Date(), nullable=True),
        sa.Column("extension_pending_days", sa.Integer(), nullable=True),
        sa.Column("extension_granted_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_fired_at", UTCDateTime(), nullable=True),
        sa.Column("next_fire_at", UTCDateTime(), nullable=True),
        sa.Column("overdue_at", UTCDateTime(), nullable=True),
        sa.Column("met_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_clocks_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "clock", name=op.f("pk_case_clocks")),
    )
    op.create_index(
        "ix_case_clocks_next_fire_at",
        "case_clocks",
        ["next_fire_at"],
        postgresql_where=sa.text("next_fire_at IS NOT NULL"),
        sqlite_where=sa.text("next_fire_at IS NOT NULL"),
    )
    op.create_table(
        "case_history",
        sa.Column(
            "entry_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_history_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_case_history")),
    )
    op.create_index("ix_case_history_case", "case_history", ["case_id", "entry_id"])
    op.create_table(
        "notice_counters",
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "year", name=op.f("pk_notice_counters")),
    )
    op.create_table(
        "supervision_notices",
        sa.Column("notice_number", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("ground", sa.String(40), nullable=False),
        sa.Column("new_due_date", sa.Date(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_supervision_notices_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("notice_number", name=op.f("pk_supervision_notices")),
    )
    op.create_index("ix_supervision_notices_case", "supervision_notices", ["case_id"])
    op.create_table(
        "petitions_seen",
        sa.Column("petition_id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("petitioner_ref", sa.String(80), nullable=True),
        sa.Column("subject_category", sa.String(64), nullable=False),
        sa.Column("collective", sa.Boolean(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_petitions_seen")),
    )
    op.create_index("ix_petitions_seen_received", "petitions_seen", ["received_at"])


def downgrade() -> None:
    op.drop_table("petitions_seen")
    op.drop_table("supervision_notices")
    op.drop_table("notice_counters")
    op.drop_table("case_history")
    op.drop_table("case_clocks")
    op.drop_table("cases")
