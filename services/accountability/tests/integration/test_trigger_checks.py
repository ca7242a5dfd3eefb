"""Trigger checks in the database (embedded SQLite): idempotent, order-tolerant, timed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.service import triggers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.catalogue import EventData, build_envelope
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events import IdentityAccessed, PetitionUrgentReported
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import ServiceApp
from huiyin_shared.testing.events import petition_registered

RULES = RuleSet.load()
ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SETTLE = RULES.settle + timedelta(seconds=1)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[ServiceApp]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'accountability.db'}"
    await asyncio.to_thread(upgrade, "huiyin_accountability", url)
    service = bootstrap(AccountabilitySettings(database_url=url), consumers=False, timers=False)
    yield service
    await service.platform.engine.dispose()


def envelope(event: EventData) -> Envelope:
    return build_envelope(event, producer="intake", subject="petition:x", occurred_at=T0)


async def observe(app: ServiceApp, *envelopes: Envelope, now: datetime) -> None:
    async with app.platform.unit_of_work_factory(AccountabilityUnitOfWork)() as uow:
        for e in envelopes:
            await triggers.observe(uow, envelope=e, rules=RULES, now=now)
        await uow.commit()


async def judge(app: ServiceApp, now: datetime) -> list[str]:
    """Judge due checks; the rules of the matters opened in this round."""
    async with app.platform.unit_of_work_factory(AccountabilityUnitOfWork)() as uow:
        await triggers.judge_due_checks(uow, rules=RULES, zone=ZONE, now=now, limit=100)
        opened = [str(e.data["rule_id"]) for e in uow.published]
        await uow.commit()
    return opened


async def test_an_identity_read_judged_clear_is_judged_again_when_the_accusation_arrives(
    app: ServiceApp,
) -> None:
    petition = uuid.uuid4()
    read = envelope(
        IdentityAccessed(
            petition_id=petition,
            reader_id="custodian-1",
            reader_role="identity_custodian",
            reader_unit_id="unit-7",
            reason="verify",
            read_at=T0,
            allowed=True,
        )
    )
    await observe(app, read, read, now=T0)  # a redelivery changes nothing
    assert await judge(app, T0 + SETTLE) == []
    registered = envelope(petition_registered(petition, accused_unit_ids=["unit-7"]))
    await observe(app, registered, now=T0 + timedelta(minutes=5))
    assert await judge(app, T0 + timedelta(minutes=5) + SETTLE) == ["identity_disclosed"]
    # Fired once: more facts and more rounds open nothing further.
    await observe(app, envelope(petition_registered(petition)), now=T0 + timedelta(minutes=9))
    assert await judge(app, T0 + timedelta(hours=1)) == []


async def test_an_urgent_petition_waits_for_its_deadline_and_fires_once(app: ServiceApp) -> None:
    late, reported = uuid.uuid4(), uuid.uuid4()
    await observe(
        app,
        envelope(petition_registered(late, urgent=True, registered_at=T0)),
        envelope(petition_registered(reported, urgent=True, registered_at=T0)),
        now=T0,
    )
    assert await judge(app, T0 + SETTLE) == []
    report = PetitionUrgentReported(
        petition_id=reported,
        reported_at=T0 + timedelta(hours=3),
        reported_to="leader-1",
        reported_by="clerk-1",
    )
    await observe(app, envelope(report), now=T0 + timedelta(hours=3))
    assert await judge(app, T0 + timedelta(hours=3) + SETTLE) == []
    assert await judge(app, T0 + timedelta(hours=24)) == [], "not before the deadline settles"
    assert await judge(app, T0 + timedelta(hours=24) + SETTLE) == ["urgent_not_reported"]
    assert await judge(app, T0 + timedelta(days=3)) == []
