"""triggers, matters, accountability cases, sanctions, assessment

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
        "accountability_cases",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_accountability_cases")),
        sa.UniqueConstraint("matter_id", name=op.f("uq_accountability_cases_matter_id")),
    )
    op.create_table(
        "assessment_entries",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", "staff_id", "item", name=op.f("pk_assessment_entries")),
    )
    op.create_table(
        "matters",
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=True),
        sa.Column("subject_key", sa.String(length=200), nullable=True),
        sa.Column("rule_source", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("subject_unit_ids", sa.JSON(), nullable=False),
        sa.Column("subject_staff_ids", sa.JSON(), nullable=False),
        sa.Column("evidence_event_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("dismissal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'dismissed', 'confirmed')", name=op.f("ck_matters_status")
        ),
        sa.PrimaryKeyConstraint("matter_id", name=op.f("pk_matters")),
        sa.UniqueConstraint("rule_id", "subject_key", name="one_matter_per_rule_and_subject"),
    )
    op.create_table(
        "procedure_deadlines",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("overdue_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'met', 'overdue')", name=op.f("ck_procedure_deadlines_status")
        ),
        sa.PrimaryKeyConstraint(
            "case_id", "step", "subject_key", name=op.f("pk_procedure_deadlines")
        ),
    )
    with op.batch_alter_table("procedure_deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_procedure_deadlines_due", ["status", "due_date"], unique=False)

    op.create_table(
        "rude_treatment_complaints",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("reported_in_press", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_rude_treatment_complaints")),
    )
    with op.batch_alter_table("rude_treatment_complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rude_treatment_complaints_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "sanction_records",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "case_id", "subject_kind", "subject_id", name=op.f("pk_sanction_records")
        ),
    )
    with op.batch_alter_table("sanction_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sanction_records_subject",
            ["subject_kind", "subject_id", "decided_at"],
            unique=False,
        )

    op.create_table(
        "trigger_checks",
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("subject_key", sa.String(length=200), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("check_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'cleared', 'fired')", name=op.f("ck_trigger_checks_status")
        ),
        sa.PrimaryKeyConstraint("rule_id", "subject_key", name=op.f("pk_trigger_checks")),
    )
    with op.batch_alter_table("trigger_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trigger_checks_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_trigger_checks_due", ["status", "check_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trigger_checks_petition_id"), ["petition_id"], unique=False
        )

    op.create_table(
        "trigger_facts",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("petition_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_trigger_facts")),
    )
    with op.batch_alter_table("trigger_facts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trigger_facts_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trigger_facts_petition_id"), ["petition_id"], unique=False
        )

    op.create_table(
        "unit_targets",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("target_met", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", "unit_id", name=op.f("pk_unit_targets")),
    )


def downgrade() -> None:
    op.drop_table("unit_targets")
    with op.batch_alter_table("trigger_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trigger_facts_petition_id"))
        batch_op.drop_index(batch_op.f("ix_trigger_facts_case_id"))

    op.drop_table("trigger_facts")
    with op.batch_alter_table("trigger_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trigger_checks_petition_id"))
        batch_op.drop_index("ix_trigger_checks_due")
        batch_op.drop_index(batch_op.f("ix_trigger_checks_case_id"))

    op.drop_table("trigger_checks")
    with op.batch_alter_table("sanction_records", schema=None) as batch_op:
        batch_op.drop_index("ix_sanction_records_subject")

    op.drop_table("sanction_records")
    with op.batch_alter_table("rude_treatment_complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rude_treatment_complaints_staff_id"))

    op.drop_table("rude_treatment_complaints")
    with op.batch_alter_table("procedure_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_procedure_deadlines_due")

    op.drop_table("procedure_deadlines")
    op.drop_table("matters")
    op.drop_table("assessment_entries")
    op.drop_table("accountability_cases")
