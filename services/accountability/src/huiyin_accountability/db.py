"""The accountability database: ledger, trigger facts and checks, matters, cases, assessment."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from huiyin_shared.db.metadata import service_metadata
from huiyin_shared.db.types import UTCDateTime
from huiyin_shared.messaging.tables import messaging_tables

metadata = service_metadata()
messaging = messaging_tables(metadata)

# Append-only: the migration adds triggers refusing UPDATE and DELETE (and TRUNCATE).
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("producer", String(100), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row (id = 1): the last sequence and hash. Appends lock it, which serialises them.
ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_sequence", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
HEAD_ID = 1

# --- triggers -------------------------------------------------------------------------------

# The other services' events the rules read, filed by petition and case (a repeat petition
# under its original). Inserted once per event id.
trigger_facts = Table(
    "trigger_facts",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("petition_id", Uuid, nullable=True, index=True),
    Column("case_id", Uuid, nullable=True, index=True),
    Column("data", JSON, nullable=False),
)

# One check per rule and subject: judged at check_at by whichever replica claims it first
# (FOR UPDATE SKIP LOCKED); a rule fires at most once per subject.
trigger_checks = Table(
    "trigger_checks",
    metadata,
    Column("rule_id", String(64), primary_key=True),
    Column("subject_key", String(200), primary_key=True),
    Column("petition_id", Uuid, nullable=True, index=True),
    Column("case_id", Uuid, nullable=True, index=True),
    Column("status", String(16), nullable=False),
    Column("check_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("status IN ('pending', 'cleared', 'fired')", name="status"),
    Index("ix_trigger_checks_due", "status", "check_at"),
)

# --- matters and cases ----------------------------------------------------------------------

matters = Table(
    "matters",
    metadata,
    Column("matter_id", Uuid, primary_key=True),
    Column("source", String(40), nullable=False),
    Column("rule_id", String(64), nullable=True),
    Column("subject_key", String(200), nullable=True),
    Column("rule_source", String(200), nullable=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("petition_id", Uuid, nullable=True),
    Column("case_id", Uuid, nullable=True),
    Column("subject_unit_ids", JSON, nullable=False),
    Column("subject_staff_ids", JSON, nullable=False),
    Column("evidence_event_ids", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("opened_by", String(64), nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("dismissal_reason", Text, nullable=True),
    UniqueConstraint("rule_id", "subject_key", name="one_matter_per_rule_and_subject"),
    CheckConstraint("status IN ('open', 'dismissed', 'confirmed')", name="status"),
)

# The procedure's record is one JSON document per case (domain.procedure.CaseRecord), kept
# with a version for optimistic locking; its open deadlines are rows for the timer.
accountability_cases = Table(
    "accountability_cases",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("matter_id", Uuid, nullable=False, unique=True),
    Column("stage", String(32), nullable=False),
    Column("record", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

procedure_deadlines = Table(
    "procedure_deadlines",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("step", String(32), primary_key=True),
    Column("subject_key", String(200), primary_key=True),
    Column("due_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("overdue_at", UTCDateTime(), nullable=True),
    CheckConstraint("status IN ('open', 'met', 'overdue')", name="status"),
    Index("ix_procedure_deadlines_due", "status", "due_date"),
)

# Sanctions in force, one row per subject and decision: "two or more accountabilities
# within one year" is counted here.
sanction_records = Table(
    "sanction_records",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("subject_kind", String(16), primary_key=True),
    Column("subject_id", String(64), primary_key=True),
    Column("severity", String(16), nullable=True),
    Column("outcome", String(32), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=False),
    Index("ix_sanction_records_subject", "subject_kind", "subject_id", "decided_at"),
)

# --- assessment -----------------------------------------------------------------------------

assessment_entries = Table(
    "assessment_entries",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("staff_id", String(64), primary_key=True),
    Column("item", String(40), primary_key=True),
    Column("met", Boolean, nullable=False),
    Column("note", Text, nullable=True),
    Column("entered_by", String(64), nullable=False),
    Column("entered_at", UTCDateTime(), nullable=False),
)

rude_treatment_complaints = Table(
    "rude_treatment_complaints",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("staff_id", String(64), nullable=False, index=True),
    Column("reported_in_press", Boolean, nullable=False),
    Column("note", Text, nullable=False),
    Column("entered_by", String(64), nullable=False),
    Column("entered_at", UTCDateTime(), nullable=False),
)

unit_targets = Table(
    "unit_targets",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("unit_id", String(64), primary_key=True),
    Column("target_met", Boolean, nullable=False),
    Column("note", Text, nullable=True),
    Column("entered_by", String(64), nullable=False),
    Column("entered_at", UTCDateTime(), nullable=False),
)
