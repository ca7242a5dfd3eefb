"""The intake database: petitions, registration counters, plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
)

from huiyin_shared.db.metadata import service_metadata
from huiyin_shared.db.types import UTCDateTime
from huiyin_shared.messaging.tables import messaging_tables

metadata = service_metadata()
messaging = messaging_tables(metadata)

petitions = Table(
    "petitions",
    metadata,
    Column("petition_id", Uuid, primary_key=True),
    Column("registration_number", String(64), nullable=False, unique=True),
    Column("office_id", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("registered_at", UTCDateTime(), nullable=False),
    Column("registered_by", String(64), nullable=True),
    Column("petitioner_ref", String(80), nullable=True),
    Column("anonymous", Boolean, nullable=False),
    Column("people_count", Integer, nullable=False),
    Column("accused_unit_ids", JSON, nullable=False),
    Column("division_code", String(12), nullable=False),
    Column("subject_category", String(64), nullable=False),
    Column("summary", Text, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("decision", String(20), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("not_accepted_reason", String(64), nullable=True),
    Column("proper_channel", String(500), nullable=True),
    Column("acceptance_notice_due", Date, nullable=True),
)
Index("ix_petitions_status_registered_at", petitions.c.status, petitions.c.registered_at)
Index("ix_petitions_office_id_registered_at", petitions.c.office_id, petitions.c.registered_at)
Index("ix_petitions_registered_at", petitions.c.registered_at)

registration_counters = Table(
    "registration_counters",
    metadata,
    Column("office_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_value", Integer, nullable=False),
    PrimaryKeyConstraint("office_id", "year"),
)
