"""The supervision database: its own tables plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, Column, Date, String, Table, Uuid

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
