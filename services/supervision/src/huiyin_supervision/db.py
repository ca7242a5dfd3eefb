"""The supervision database: its own tables plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)

from huiyin_shared.db.metadata import service_metadata
from huiyin_shared.db.types import UTCDateTime
from huiyin_shared.messaging.tables import messaging_tables

metadata = service_metadata()
messaging = messaging_tables(metadata)

OPENED_COLUMNS = (
    "office_id",
    "registration_number",
    "received_at",
    "start_date",
    "due_date",
    "explanation",
    "opened_at",
)
"""Set together when a clock is opened; all NULL while only an early stop is known."""

# One row per petition and clock. A stop (the decision) may arrive before the clock is
# opened (the registration): the row then holds only met_at until the opening fills it in.
petition_clocks = Table(
    "petition_clocks",
    metadata,
    Column("petition_id", Uuid, primary_key=True),
    Column("clock", String(40), primary_key=True),
    Column("office_id", String(64), nullable=True),
    Column("registration_number", String(64), nullable=True),
    Column("received_at", UTCDateTime(), nullable=True),
    Column("start_date", Date, nullable=True),
    Column("due_date", Date, nullable=True),
    Column("explanation", JSON(none_as_null=True), nullable=True),
    Column("opened_at", UTCDateTime(), nullable=True),
    Column("met_at", UTCDateTime(), nullable=True),
    Column("met_event", String(100), nullable=True),
    CheckConstraint(
        "("
        + " AND ".join(f"{c} IS NULL" for c in OPENED_COLUMNS)
        + ") OR ("
        + " AND ".join(f"{c} IS NOT NULL" for c in OPENED_COLUMNS)
        + ")",
        name="opened_together",
    ),
    CheckConstraint("(met_at IS NULL) = (met_event IS NULL)", name="met_together"),
    CheckConstraint("opened_at IS NOT NULL OR met_at IS NOT NULL", name="not_empty"),
)


# One row per handling assignment (a unit's share of a routing decision) or review.
cases = Table(
    "cases",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("petition_id", Uuid, nullable=False),
    Column("decision_id", Uuid, nullable=False),
    Column("office_id", String(64), nullable=False),
    Column("registration_number", String(64), nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("division_code", String(12), nullable=False),
    Column("role", String(20), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("deadline_class", String(40), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject_category", String(64), nullable=False),
    Column("collective", Boolean, nullable=False),
    # How the petitioner is told of the result depends on it (domain §6.4).
    Column("anonymous", Boolean, nullable=False, server_default=false()),
    Column("status", String(20), nullable=False),
    Column("handler_id", String(64), nullable=True),
    Column("owner_leader_id", String(64), nullable=True),
    Column("escalation_level", String(20), nullable=False),
    Column("escalation", JSON(none_as_null=True), nullable=True),
    Column("review_tier", String(20), nullable=True),
    Column("original_case_id", Uuid, nullable=True),
    Column("result_summary", Text, nullable=True),
    Column("feedback_satisfied", Boolean, nullable=True),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime(), nullable=True),
    UniqueConstraint("decision_id", "unit_id"),
)
Index("ix_cases_unit_status", cases.c.unit_id, cases.c.status)
Index("ix_cases_petition", cases.c.petition_id)

# A case's clocks; ``next_fire_at`` is the timer. The partial index holds only the rows
# with a timer set, so a sweep reads what is due, not what is open.
case_clocks = Table(
    "case_clocks",
    metadata,
    Column("case_id", Uuid, ForeignKey("cases.case_id"), primary_key=True),
    Column("clock", String(40), primary_key=True),
    Column("spec", JSON, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("provisional", Boolean, nullable=False),
    Column("state", String(20), nullable=False),
    Column("periodic", Boolean, nullable=False),
    Column("paused_on", Date, nullable=True),
    Column("extension_pending_days", Integer, nullable=True),
    Column("extension_granted_days", Integer, nullable=False, server_default="0"),
    Column("reminders_sent", Integer, nullable=False, server_default="0"),
    Column("last_fired_at", UTCDateTime(), nullable=True),
    Column("next_fire_at", UTCDateTime(), nullable=True),
    Column("overdue_at", UTCDateTime(), nullable=True),
    Column("met_at", UTCDateTime(), nullable=True),
)
Index(
    "ix_case_clocks_next_fire_at",
    case_clocks.c.next_fire_at,
    postgresql_where=text("next_fire_at IS NOT NULL"),
    sqlite_where=text("next_fire_at IS NOT NULL"),
)

# What happened to a case, by whom: progress notes, decisions, the handling opinion.
case_history = Table(
    "case_history",
    metadata,
    Column(
        "entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("case_id", Uuid, ForeignKey("cases.case_id"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", JSON, nullable=False),
)
Index("ix_case_history_case", case_history.c.case_id, case_history.c.entry_id)

# Supervision notices, numbered per office and year (督办告知书).
notice_counters = Table(
    "notice_counters",
    metadata,
    Column("office_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

supervision_notices = Table(
    "supervision_notices",
    metadata,
    Column("notice_number", String(64), primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.case_id"), nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("ground", String(40), nullable=False),
    Column("new_due_date", Date, nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("answer", Text, nullable=True),
    Column("answered_at", UTCDateTime(), nullable=True),
)
Index("ix_supervision_notices_case", supervision_notices.c.case_id)

# What screening needs of every registered petition (pseudonymous reference only).
petitions_seen = Table(
    "petitions_seen",
    metadata,
    Column("petition_id", Uuid, primary_key=True),
    Column("office_id", String(64), nullable=False),
    Column("petitioner_ref", String(80), nullable=True),
    Column("subject_category", String(64), nullable=False),
    Column("collective", Boolean, nullable=False),
    Column("people_count", Integer, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)
Index("ix_petitions_seen_received", petitions_seen.c.received_at)

# Screening flags (排查): one row per flagged matter and run, with its owner and deadline.
screening_flags = Table(
    "screening_flags",
    metadata,
    Column("flag_id", Uuid, primary_key=True),
    Column("run_key", String(40), nullable=False),
    Column("category", String(40), nullable=False),
    Column("office_id", String(64), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("petitioner_ref", String(80), nullable=True),
    Column("subject_category", String(64), nullable=True),
    Column("petition_ids", JSON, nullable=False),
    Column("case_ids", JSON, nullable=False),
    Column("owner_id", String(64), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("flagged_at", UTCDateTime(), nullable=False),
)
Index("ix_screening_flags_flagged_at", screening_flags.c.flagged_at)

# Which periodic screenings ran: the key claims a period once, whichever replica gets it.
screening_runs = Table(
    "screening_runs",
    metadata,
    Column("run_key", String(40), primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False),
)
