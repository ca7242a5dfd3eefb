"""Opening and stopping a clock on real PostgreSQL: twice, in either order, at the same time."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.db.migrations import upgrade
from huiyin_supervision import service
from huiyin_supervision.bootstrap import bootstrap
from huiyin_supervision.config import SupervisionSettings
from huiyin_supervision.domain.clocks import PetitionClock
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.domain.policies import ClockKind
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

pytestmark = pytest.mark.integration

OFFICE = OfficeCalendar(calendar=BusinessCalendar(), timezone=ZoneInfo("Asia/Shanghai"))
RECEIVED_AT = datetime(2026, 9, 21, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 9, 22, 2, 0, tzinfo=UTC)
ACCEPTED_AT = datetime(2026, 9, 24, 3, 0, tzinfo=UTC)

UowFactory = Callable[[], SupervisionUnitOfWork]
Write = Callable[[SupervisionUnitOfWork, uuid.UUID], Awaitable[object]]


@pytest.fixture
async def uow_factory(postgres_url: str) -> AsyncIterator[UowFactory]:
    await asyncio.to_thread(upgrade, "huiyin_supervision", postgres_url)
    platform = bootstrap(SupervisionSettings(database_url=postgres_url), consumers=False).platform
    yield lambda: SupervisionUnitOfWork(platform.sessions, platform.outbox)
    await platform.engine.dispose()


async def open_clock(uow: SupervisionUnitOfWork, petition_id: uuid.UUID) -> PetitionClock:
    return await service.open_acceptance_clock(
        uow,
        office=OFFICE,
        now=NOW,
        petition_id=petition_id,
        office_id="office-370102",
        registration_number="XF-370102-2026-000042",
        received_at=RECEIVED_AT,
    )


def stop_clock(at: datetime = ACCEPTED_AT, event: str = "petition.accepted") -> Write:
    async def write(uow: SupervisionUnitOfWork, petition_id: uuid.UUID) -> None:
        await service.record_acceptance_decision(
            uow, petition_id=petition_id, decided_at=at, decision_event=event
        )

    return write


async def committed(factory: UowFactory, write: Write, petition_id: uuid.UUID) -> None:
    async with factory() as uow:
        await write(uow, petition_id)
        await uow.commit()


async def stored(factory: UowFactory, petition_id: uuid.UUID) -> PetitionClock | None:
    async with factory() as uow:
        return await uow.clocks.get(petition_id=petition_id, clock=ClockKind.ACCEPTANCE_NOTICE)


async def test_opening_twice_keeps_the_first_opening(uow_factory: UowFactory) -> None:
    petition_id = uuid.uuid4()
    await committed(uow_factory, open_clock, petition_id)
    first = await stored(uow_factory, petition_id)
    await committed(uow_factory, open_clock, petition_id)
    assert await stored(uow_factory, petition_id) == first
    assert first is not None
    assert first.due_date == date(2026, 10, 8)


async def test_the_first_stop_wins(uow_factory: UowFactory) -> None:
    petition_id = uuid.uuid4()
    await committed(uow_factory, open_clock, petition_id)
    await committed(uow_factory, stop_clock(), petition_id)
    later = datetime(2026, 9, 30, tzinfo=UTC)
    await committed(uow_factory, stop_clock(later, "petition.not_accepted"), petition_id)
    clock = await stored(uow_factory, petition_id)
    assert clock is not None
    assert clock.stop is not None
    assert (clock.stop.met_at, clock.stop.met_event) == (ACCEPTED_AT, "petition.accepted")


async def test_a_stop_before_the_opening_opens_a_met_clock(uow_factory: UowFactory) -> None:
    petition_id = uuid.uuid4()
    await committed(uow_factory, stop_clock(), petition_id)
    assert await stored(uow_factory, petition_id) is None
    async with uow_factory() as uow:
        clock = await open_clock(uow, petition_id)
        await uow.commit()
    assert clock.met_at == ACCEPTED_AT
    assert await stored(uow_factory, petition_id) == clock


@pytest.mark.parametrize(
    ("first", "second"),
    [(open_clock, stop_clock()), (stop_clock(), open_clock)],
    ids=["open-then-stop", "stop-then-open"],
)
async def test_concurrent_open_and_stop_lose_nothing(
    uow_factory: UowFactory, first: Write, second: Write
) -> None:
    petition_id = uuid.uuid4()
    async with uow_factory() as uow:
        await first(uow, petition_id)
        # The other writer starts while the first has not committed: it must wait on the
        # (petition, clock) key and then build on the first's row, not overwrite it.
        other = asyncio.create_task(committed(uow_factory, second, petition_id))
        await asyncio.sleep(0.3)
        assert not other.done()
        await uow.commit()
    async with asyncio.timeout(10):
        await other
    clock = await stored(uow_factory, petition_id)
    assert clock is not None
    assert clock.due_date == date(2026, 10, 8)
    assert clock.met_at == ACCEPTED_AT
