"""The inbox: a consumed event's id recorded in the same transaction as its effects."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession


async def record_once(
    session: AsyncSession,
    table: Table,
    *,
    event_id: uuid.UUID,
    consumer: str,
    event_type: str,
    received_at: datetime,
) -> bool:
    """Insert the event id for this consumer; False if it was already there.

    The primary key decides, not a prior SELECT, so two replicas racing on a redelivered
    message cannot both apply it: the second waits on the first's row lock and then finds
    the conflict.
    """
    values = {
        "event_id": event_id,
        "consumer": consumer,
        "event_type": event_type,
        "received_at": received_at,
    }
    dialect = session.get_bind().dialect.name
    stmt: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"inbox not supported on {dialect}")
    result = await session.execute(stmt)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1
