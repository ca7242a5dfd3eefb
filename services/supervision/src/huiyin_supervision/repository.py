"""Every query of the supervision service.

Opening a clock and stopping it are both upserts on the (petition, clock) key, so the two
events may arrive in either order, twice, or at the same moment in two consumers, and the
row still ends up opened *and* met: the database serialises the two writers on the key.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Insert, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from huiyin_shared.db.dialect import DialectInsert, per_dialect
from huiyin_supervision.db import OPENED_COLUMNS, petition_clocks
from huiyin_supervision.domain import explanation
from huiyin_supervision.domain.clocks import ClockStop, PetitionClock
from huiyin_supervision.domain.policies import ClockKind

_KEY = [petition_clocks.c.petition_id, petition_clocks.c.clock]


# Built once: every petition's events run these (see huiyin_shared.db.dialect).
@per_dialect
def _open(insert: DialectInsert) -> ReturningInsert[Any]:
    stmt = insert(petition_clocks)
    return stmt.on_conflict_do_update(
        index_elements=_KEY,
        set_={name: stmt.excluded[name] for name in OPENED_COLUMNS},
        where=petition_clocks.c.opened_at.is_(None),
    ).returning(*petition_clocks.c)


@per_dialect
def _record_stop(insert: DialectInsert) -> Insert:
    stmt = insert(petition_clocks)
    return stmt.on_conflict_do_update(
        index_elements=_KEY,
        set_={"met_at": stmt.excluded.met_at, "met_event": stmt.excluded.met_event},
        where=petition_clocks.c.met_at.is_(None),
    )


_OPENED_CLOCK = select(petition_clocks).where(
    petition_clocks.c.petition_id == bindparam("petition_id"),
    petition_clocks.c.clock == bindparam("clock"),
    petition_clocks.c.opened_at.is_not(None),
)


class ClockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(self, clock: PetitionClock) -> PetitionClock:
        """Store an opened clock and return what is stored.

        A stop recorded before (an out-of-order decision) is kept; a clock already opened
        is left unchanged, so opening twice is harmless.
        """
        written = await self._session.execute(
            _open(self._session),
            {
                "petition_id": clock.petition_id,
                "clock": clock.clock.value,
                "office_id": clock.office_id,
                "registration_number": clock.registration_number,
                "received_at": clock.received_at,
                "start_date": clock.start_date,
                "due_date": clock.due_date,
                "explanation": explanation.to_json(clock.explanation),
                "opened_at": clock.opened_at,
            },
        )
        row = written.one_or_none()
        if row is not None:
            return _to_clock(row._mapping)
        stored = await self.get(petition_id=clock.petition_id, clock=clock.clock)  # opened before
        assert stored is not None
        return stored

    async def record_stop(
        self, *, petition_id: uuid.UUID, clock: ClockKind, stop: ClockStop
    ) -> None:
        """Mark the clock met; the first stop wins. Works before the clock is opened."""
        await self._session.execute(
            _record_stop(self._session),
            {
                "petition_id": petition_id,
                "clock": clock.value,
                "met_at": stop.met_at,
                "met_event": stop.met_event,
            },
        )

    async def get(self, *, petition_id: uuid.UUID, clock: ClockKind) -> PetitionClock | None:
        """The opened clock, or None (also while only an early stop is known)."""
        row = (
            await self._session.execute(
                _OPENED_CLOCK, {"petition_id": petition_id, "clock": clock.value}
            )
        ).one_or_none()
        return None if row is None else _to_clock(row._mapping)

    async def list_for_petition(self, *, petition_id: uuid.UUID) -> list[PetitionClock]:
        """The petition's opened clocks, in the order they were opened."""
        rows = await self._session.execute(
            select(petition_clocks)
            .where(
                petition_clocks.c.petition_id == petition_id,
                petition_clocks.c.opened_at.is_not(None),
            )
            .order_by(petition_clocks.c.opened_at, petition_clocks.c.clock)
        )
        return [_to_clock(row._mapping) for row in rows]


def _to_clock(row: Any) -> PetitionClock:
    met_at = row["met_at"]
    return PetitionClock(
        petition_id=row["petition_id"],
        clock=ClockKind(row["clock"]),
        office_id=row["office_id"],
        registration_number=row["registration_number"],
        received_at=row["received_at"],
        start_date=row["start_date"],
        due_date=row["due_date"],
        explanation=explanation.from_json(row["explanation"]),
        opened_at=row["opened_at"],
        stop=None if met_at is None else ClockStop(met_at=met_at, met_event=row["met_event"]),
    )
