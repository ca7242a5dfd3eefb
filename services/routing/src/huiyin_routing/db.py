"""The routing database: its own tables plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, String, Table, Uuid

from huiyin_shared.db.metadata import service_metadata
from huiyin_shared.db.types import UTCDateTime
from huiyin_shared.messaging.tables import messaging_tables

metadata = service_metadata()
messaging = messaging_tables(metadata)

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
)
