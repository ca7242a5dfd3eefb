"""The routing database: its own tables plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from huiyin_shared.db.metadata import service_metadata
from huiyin_shared.db.types import UTCDateTime
from huiyin_shared.messaging.tables import messaging_tables

metadata = service_metadata()
messaging = messaging_tables(metadata)

# JSONB on PostgreSQL (compact, indexable); plain JSON text elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")
_Serial = BigInteger().with_variant(Integer(), "sqlite")

routing_requests = Table(
    "routing_requests",
    metadata,
    Column("petition_id", Uuid, primary_key=True),
    Column("registration_number", String(64), nullable=False),
    Column("office_id", String(64), nullable=False),
    Column("division_code", String(12), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject_category", String(64), nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("accepted_at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    # The facts as accepted (no identity: PetitionFacts carries none), to decide again.
    Column("facts", Document, nullable=True),
    Column("lead_unit_id", String(64), nullable=True),
    Column("participating_unit_ids", Document, nullable=True),
    Column("bounce_count", Integer, nullable=False, server_default="0"),
    Column("decided_at", UTCDateTime(), nullable=True),
    Index("ix_routing_requests_status", "status"),
    Index("ix_routing_requests_lead_unit_id", "lead_unit_id"),
)

routing_decisions = Table(
    "routing_decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("petition_id", Uuid, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("mode", String(32), nullable=True),
    Column("lead_unit_id", String(64), nullable=True),
    Column("participating_unit_ids", Document, nullable=False),
    Column("deadline_class", String(40), nullable=True),
    Column("authority", Text, nullable=True),
    Column("registry_version", Integer, nullable=True),
    Column("decided_at", UTCDateTime(), nullable=False),
    Column("decided_by", String(64), nullable=True),
    Column("manual_reason", Text, nullable=True),
    Column("explanation", Document, nullable=False),
    UniqueConstraint("petition_id", "sequence", name="uq_routing_decisions_petition_sequence"),
)

routing_bounces = Table(
    "routing_bounces",
    metadata,
    Column("id", _Serial, primary_key=True, autoincrement=True),
    Column("petition_id", Uuid, nullable=False),
    Column("case_id", Uuid, nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("division_code", String(12), nullable=False),
    Column("reason", Text, nullable=False),
    Column("returned_at", UTCDateTime(), nullable=False),
    Column("returned_by", String(64), nullable=False),
    Index("ix_routing_bounces_petition_id", "petition_id"),
)

registry_versions = Table(
    "registry_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("format", String(40), nullable=False),
    Column("document", Document, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("source", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("counts", Document, nullable=False),
)

registry_changes = Table(
    "registry_changes",
    metadata,
    Column("id", _Serial, primary_key=True, autoincrement=True),
    Column("version", Integer, nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("detail", Document, nullable=False),
    Index("ix_registry_changes_version", "version"),
)
