"""Writing events to the transactional outbox, in the caller's transaction.

Outbox rows are pending writes (:mod:`huiyin_shared.db.writes`): they go to the database
with the transaction's other held-back writes, at the latest when it commits."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_shared.clock import Clock
from huiyin_shared.contracts.catalogue import EventData, build_envelope
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.writes import defer_insert
from huiyin_shared.messaging.publisher import OutgoingMessage

# PostgreSQL delivers NOTIFY at commit, so a relay in another process wakes exactly when
# the row becomes visible; notifications repeated in one transaction are folded into one.
NOTIFY_CHANNEL = "huiyin_outbox"


class OutboxWriter:
    """Turns event payloads into envelopes and stores them as outbox rows."""

    def __init__(self, *, table: Table, producer: str, clock: Clock) -> None:
        self._table = table
        self._producer = producer
        self._clock = clock

    async def add(
        self, session: AsyncSession, data: EventData, *, subject: str
    ) -> tuple[Envelope, OutgoingMessage]:
        """The event's envelope, and the message its row holds for the relay."""
        context = structlog.contextvars.get_contextvars()
        causation = context.get("causation_id")
        envelope = build_envelope(
            data,
            producer=self._producer,
            subject=subject,
            occurred_at=self._clock.now(),
            correlation_id=context.get("correlation_id"),
            causation_id=uuid.UUID(str(causation)) if causation else None,
        )
        body = envelope.model_dump_json()
        defer_insert(
            session,
            self._table,
            {
                "event_id": envelope.id,
                "event_type": envelope.type,
                "routing_key": envelope.type,
                "envelope": body,
                "correlation_id": envelope.correlation_id,
                "created_at": envelope.occurred_at,
            },
        )
        message = OutgoingMessage(
            event_id=str(envelope.id),
            event_type=envelope.type,
            routing_key=envelope.type,
            body=body.encode(),
            correlation_id=envelope.correlation_id,
            created_at=envelope.occurred_at,
        )
        return envelope, message


async def notify_relay(session: AsyncSession) -> None:
    """Wake relays in other processes at commit (PostgreSQL only; a no-op elsewhere)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
