"""The accountability database: the ledger plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Integer,
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
