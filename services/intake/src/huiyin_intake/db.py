"""The intake database: petitions, identities (encrypted), portals, the tracking projection,
registration counters, plus the outbox and inbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
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
    Column("referral_reason", String(500), nullable=True),
    Column("accused_persons", JSON, nullable=False, default=list),
    Column("address_text", String(500), nullable=True),
    Column("requests", Text, nullable=True),
    Column("evidence", JSON, nullable=False, default=list),
    Column("portal_id", String(64), nullable=True),
    Column("original_petition_id", Uuid, nullable=True),
    Column("urgent_reported_at", UTCDateTime(), nullable=True),
    Column("query_code_hash", String(64), nullable=True),
    Column("published_summary", Text, nullable=True),
)
Index("ix_petitions_status_registered_at", petitions.c.status, petitions.c.registered_at)
Index("ix_petitions_office_id_registered_at", petitions.c.office_id, petitions.c.registered_at)
Index("ix_petitions_registered_at", petitions.c.registered_at)
Index("ix_petitions_petitioner_ref", petitions.c.petitioner_ref)
Index("ix_petitions_original_petition_id", petitions.c.original_petition_id)

registration_counters = Table(
    "registration_counters",
    metadata,
    Column("office_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_value", Integer, nullable=False),
    PrimaryKeyConstraint("office_id", "year"),
)

identities = Table(
    "identities",
    metadata,
    Column("petition_id", Uuid, primary_key=True),
    Column("key_id", String(64), nullable=False),
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("id_number_index", String(64), nullable=True),
    Column("phone_index", String(64), nullable=True),
    Column("encrypted_at", UTCDateTime(), nullable=False),
)
Index("ix_identities_id_number_index", identities.c.id_number_index)
Index("ix_identities_phone_index", identities.c.phone_index)
Index("ix_identities_key_id", identities.c.key_id)

identity_reads = Table(
    "identity_reads",
    metadata,
    Column("read_id", Uuid, primary_key=True),
    Column("petition_id", Uuid, nullable=False),
    Column("reader_id", String(64), nullable=False),
    Column("reader_role", String(64), nullable=False),
    Column("reader_unit_id", String(64), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("read_at", UTCDateTime(), nullable=False),
    Column("allowed", Boolean, nullable=False),
)
Index("ix_identity_reads_petition_id", identity_reads.c.petition_id)

portal_keys = Table(
    "portal_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("portal_id", String(64), nullable=False),
    Column("office_id", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("replaced_by", String(16), nullable=True),
)
Index("ix_portal_keys_portal_id", portal_keys.c.portal_id)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("portal_id", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("key_id", String(64), nullable=True),
    Column("nonce", LargeBinary, nullable=True),
    Column("ciphertext", LargeBinary, nullable=True),
    PrimaryKeyConstraint("portal_id", "idempotency_key"),
)
Index("ix_idempotency_records_created_at", idempotency_records.c.created_at)

rate_limit_windows = Table(
    "rate_limit_windows",
    metadata,
    Column("bucket", String(200), nullable=False),
    Column("window_start", UTCDateTime(), nullable=False),
    Column("hits", Integer, nullable=False),
    PrimaryKeyConstraint("bucket", "window_start"),
)

timeline_entries = Table(
    "timeline_entries",
    metadata,
    Column("entry_key", String(120), primary_key=True),
    Column("petition_id", Uuid, nullable=True),
    Column("case_id", Uuid, nullable=True),
    Column("kind", String(32), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("details", JSON, nullable=False),
)
Index("ix_timeline_entries_petition_id", timeline_entries.c.petition_id)
Index("ix_timeline_entries_case_id", timeline_entries.c.case_id)

case_links = Table(
    "case_links",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("petition_id", Uuid, nullable=False),
)
Index("ix_case_links_petition_id", case_links.c.petition_id)
