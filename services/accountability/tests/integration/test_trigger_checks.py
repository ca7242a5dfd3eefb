"""Trigger checks in the database (PostgreSQL and SQLite): idempotent, order-tolerant, timed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.db import trigger_checks
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.service import triggers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.catalogue import EventData, build_envelope
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events import (
    CaseAcceptedByUnit,
    CaseOpened,
    CaseRole,
    IdentityAccessed,
    PetitionUrgentReported,
    RoutingMode,
    UnitRef,
)
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import ServiceApp
from huiyin_shared.testing.events import petition_registered

RULES = RuleSet.load()
ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SETTLE = RULES.settle + timedelta(seconds=1)


@pytest.fixture
async def app(any_database_url: str) -> AsyncIterator[ServiceApp]:
    url = any_database_url
    await asyncio.to_thread(upgrade, "huiyin_accountability", url)
    service = bootstrap(AccountabilitySettings(database_url=url), consumers=False, timers=False)
    yield service
    await service.platform.engine.dispose()


def envelope(event: EventData) -> Envelope:
    return build_envelope(event, producer="intake", subject="petition:x", occurred_at=T0)


async def observe(app: ServiceApp, *envelopes: Envelope, now: datetime) -> None:
    async with app.platform.unit_of_work_factory(AccountabilityUnitOfWork)() as uow:
        await triggers.observe(uow, envelopes=envelopes, rules=RULES, now=now)
        await uow.commit()


async def judge(app: ServiceApp, now: datetime) -> list[str]:
    """Judge due checks; the rules of the matters opened in this round."""
    async with app.platform.unit_of_work_factory(AccountabilityUnitOfWork)() as uow:
        await triggers.judge_due_checks(uow, rules=RULES, zone=ZONE, now=now, limit=100)
        opened = [str(e.data["rule_id"]) for e in uow.published]
        await uow.commit()
    return opened


async def statuses(app: ServiceApp, petition: uuid.UUID) -> list[str]:
    async with app.platform.sessions() as session:
        rows = await session.execute(
            select(trigger_checks.c.status).where(trigger_checks.c.petition_id == petition)
        )
        return sorted(row.status for row in rows)


def identity_read(petition: uuid.UUID) -> Envelope:
    return envelope(
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


async def test_a_fact_about_a_case_alone_reopens_its_petitions_cleared_checks(
    app: ServiceApp,
) -> None:
    petition, case = uuid.uuid4(), uuid.uuid4()
    unit = UnitRef(unit_id="unit-3", unit_name="区人社局", division_code="110105")
    opened = CaseOpened(
        case_id=case,
        petition_id=petition,
        decision_id=uuid.uuid4(),
        unit=unit,
        role=CaseRole.LEAD,
        mode=RoutingMode.ASSIGN,
        opened_at=T0,
    )
    # The case's opening and the identity read arrive together; the read is judged clear.
    await observe(app, envelope(opened), identity_read(petition), now=T0)
    assert await judge(app, T0 + SETTLE) == []
    assert await statuses(app, petition) == ["cleared"]
    # An event naming only the case: its petition is found through the case's opening.
    accepted = CaseAcceptedByUnit(case_id=case, unit=unit, handler_id="h-1", accepted_at=T0)
    await observe(app, envelope(accepted), now=T0 + timedelta(minutes=1))
    assert await statuses(app, petition) == ["pending"]


async def test_an_identity_read_judged_clear_is_judged_again_when_the_accusation_arrives(
    app: ServiceApp,
) -> None:
    petition = uuid.uuid4()
    read = identity_read(petition)
    await observe(app, read, read, now=T0)  # a second copy in the group changes nothing
    await observe(app, read, now=T0)  # nor does a redelivery
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
