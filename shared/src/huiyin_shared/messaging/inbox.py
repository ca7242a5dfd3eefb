"""The inbox: a consumed event's id recorded in the same transaction as its effects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.dialect import dialect_insert


async def record_once(
    session: AsyncSession,
    table: Table,
    envelopes: Sequence[Envelope],
    *,
    consumer: str,
    received_at: datetime,
) -> set[uuid.UUID]:
    """Insert each event id for this consumer, in one statement; the ids not seen before.

    The primary key decides, not a prior SELECT, so two replicas racing on a redelivered
    message cannot both apply it: the second waits on the first's row lock and then finds
    the conflict.
    """
    rows = {
        e.id: {
            "event_id": e.id,
            "consumer": consumer,
            "event_type": e.type,
            "received_at": received_at,
        }
        for e in envelopes
    }
    if not rows:
        return set()
    # The rows travel as parameters of one constant statement: SQLAlchemy sends them as one
    # multi-row INSERT ("insertmanyvalues") compiled once, where ``.values([...])`` would be
    # compiled again for every group.
    stmt = dialect_insert(session, table).on_conflict_do_nothing().returning(table.c.event_id)
    return {row.event_id for row in await session.execute(stmt, list(rows.values()))}
