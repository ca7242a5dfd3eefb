"""The ledger's store and use cases on the embedded SQLite default: no broker needed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from huiyin_accountability import service
from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.catalogue import build_envelope
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.petition import PetitionUrgentReported
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import ServiceApp

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def envelope(n: int) -> Envelope:
    data = PetitionUrgentReported(
        petition_id=uuid.UUID(int=n), reported_at=T0, reported_to="leader-7", reported_by="clerk-1"
    )
    return build_envelope(data, producer="intake", subject=f"petition:{n}", occurred_at=T0)


@pytest.fixture
async def ledger_service(tmp_path: Path) -> AsyncIterator[ServiceApp]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'accountability.db'}"
    await asyncio.to_thread(upgrade, "huiyin_accountability", url)
    app = bootstrap(AccountabilitySettings(database_url=url), consumers=False)
    yield app
    await app.platform.engine.dispose()


def unit_of_work(app: ServiceApp) -> AccountabilityUnitOfWork:
    platform = app.platform
    return AccountabilityUnitOfWork(platform.sessions, platform.outbox)


async def test_appends_chain_verify_and_ignore_a_repeated_event(ledger_service: ServiceApp) -> None:
    clock = FixedClock(T0)
    envelopes = [envelope(n) for n in range(1, 6)]
    for e in [*envelopes, envelopes[1]]:
        async with unit_of_work(ledger_service) as uow:
            await service.record_event(uow, envelope=e, clock=clock)
            await uow.commit()
        clock.advance(timedelta(seconds=1, microseconds=7))
    async with unit_of_work(ledger_service) as uow:
        entries = await uow.ledger.page(after=0, limit=100)
        result = await service.verify_ledger(uow, page_size=2)
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert [e.event_id for e in entries] == [e.id for e in envelopes]
    assert entries[0].recorded_at == T0
    assert (result.intact, result.checked) == (True, 5)

    engine = ledger_service.platform.engine
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE ledger_entries SET subject = 'x'"))
    async with engine.begin() as connection:
        await connection.execute(text("DROP TRIGGER ledger_entries_no_delete"))
        await connection.execute(text("DELETE FROM ledger_entries WHERE sequence = 5"))
    async with unit_of_work(ledger_service) as uow:
        result = await service.verify_ledger(uow, page_size=2)
    assert (result.intact, result.checked, result.first_broken_sequence) == (False, 4, 5)
    assert result.reason == "entry 5 missing"
