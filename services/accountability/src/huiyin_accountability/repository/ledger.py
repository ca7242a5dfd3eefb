"""The ledger: entries are only ever inserted; the head row is the append lock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import RowMapping, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_accountability.db import HEAD_ID, ledger_entries, ledger_head
from huiyin_accountability.domain.ledger import LedgerEntry, LedgerHead

# Built once: every group of events runs these.
_HEAD = select(ledger_head.c.last_sequence, ledger_head.c.last_hash).where(
    ledger_head.c.id == HEAD_ID
)
_LOCK_HEAD = _HEAD.with_for_update()
_APPEND = insert(ledger_entries)
_MOVE_HEAD = (
    update(ledger_head)
    .where(ledger_head.c.id == HEAD_ID)
    .values(last_sequence=bindparam("sequence"), last_hash=bindparam("hash"))
)
_RECORDED = select(ledger_entries.c.event_id).where(
    ledger_entries.c.event_id.in_(bindparam("ids", expanding=True))
)


_ENTRY_FIELDS = tuple(f.name for f in fields(LedgerEntry))


def _row_of(entry: LedgerEntry) -> dict[str, object]:
    """The entry's columns as they are: ``dataclasses.asdict`` deep-copies every value,
    which cost more than the rest of building the rows."""
    return {name: getattr(entry, name) for name in _ENTRY_FIELDS}


class LedgerRepository:
    """The ledger: entries are only ever inserted; the head row is the append lock."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_head(self) -> LedgerHead:
        """Read the head with a row lock held until the transaction ends (FOR UPDATE)."""
        return await self._head(for_update=True)

    async def head(self) -> LedgerHead:
        return await self._head(for_update=False)

    async def _head(self, *, for_update: bool) -> LedgerHead:
        row = (await self._session.execute(_LOCK_HEAD if for_update else _HEAD)).one()
        return LedgerHead(last_sequence=row.last_sequence, last_hash=row.last_hash)

    async def append(self, entries: Sequence[LedgerEntry]) -> None:
        """Insert the entries and move the head onto the last (call with the head locked)."""
        if not entries:
            return
        await self._session.execute(_APPEND, [_row_of(e) for e in entries])
        last = entries[-1]
        await self._session.execute(_MOVE_HEAD, {"sequence": last.sequence, "hash": last.hash})

    async def recorded(self, event_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these events already have an entry."""
        if not event_ids:
            return set()
        rows = await self._session.execute(_RECORDED, {"ids": list(event_ids)})
        return {row.event_id for row in rows}

    async def get_by_event(self, *, event_id: uuid.UUID) -> LedgerEntry | None:
        row = (
            await self._session.execute(
                select(ledger_entries).where(ledger_entries.c.event_id == event_id)
            )
        ).one_or_none()
        return None if row is None else _to_entry(row._mapping)

    async def page(self, *, after: int, limit: int, up_to: int | None = None) -> list[LedgerEntry]:
        """Entries with ``after < sequence <= up_to``, in sequence order (keyset paging)."""
        query = select(ledger_entries).where(ledger_entries.c.sequence > after)
        if up_to is not None:
            query = query.where(ledger_entries.c.sequence <= up_to)
        rows = await self._session.execute(query.order_by(ledger_entries.c.sequence).limit(limit))
        return [_to_entry(row._mapping) for row in rows]


def _to_entry(row: RowMapping) -> LedgerEntry:
    return LedgerEntry(**dict(row))
