"""The supervision skeleton on real PostgreSQL and RabbitMQ: migrations, relay, consumer, API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.events.common import (
    NotAcceptedReason,
)
from huiyin_shared.contracts.events.petition import (
    PetitionAccepted,
    PetitionNotAccepted,
    PetitionRegistered,
)
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import ServiceApp, build_app
from huiyin_shared.testing.events import petition_accepted, petition_registered, publish
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually
from huiyin_supervision.bootstrap import bootstrap
from huiyin_supervision.config import SupervisionSettings
from huiyin_supervision.db import petition_clocks

pytestmark = pytest.mark.integration

# 2026-09-21 17:00 UTC is 2026-09-22 01:00 in Beijing: the clock starts on the 22nd, and
# day 15 (2026-10-07) is the last day of the National Day holiday, so it is due on the 8th.
RECEIVED_AT = datetime(2026, 9, 21, 17, 0, tzinfo=UTC)
DUE = date(2026, 10, 8)
DECIDED_AT = datetime(2026, 9, 24, 3, 0, tzinfo=UTC)


def registered_event(petition_id: uuid.UUID) -> PetitionRegistered:
    return petition_registered(
        petition_id,
        registration_number="XF-370102-2026-000042",
        received_at=RECEIVED_AT,
        registered_at=RECEIVED_AT + timedelta(hours=2),
    )


def accepted_event(petition_id: uuid.UUID) -> PetitionAccepted:
    return petition_accepted(
        petition_id,
        acceptance_notice_due=DUE,
        registration_number="XF-370102-2026-000042",
        received_at=RECEIVED_AT,
        accepted_at=DECIDED_AT,
    )


def not_accepted_event(petition_id: uuid.UUID) -> PetitionNotAccepted:
    return PetitionNotAccepted(
        petition_id=petition_id,
        reason=NotAcceptedReason.STATUTORY_REMEDY_REQUIRED,
        proper_channel="劳动人事争议仲裁委员会",
        decided_at=DECIDED_AT,
        decided_by="clerk-1",
    )


@dataclass
class Running:
    service: ServiceApp
    client: httpx.AsyncClient
    clock: FixedClock

    async def publish(self, event: EventData, petition_id: uuid.UUID) -> None:
        await publish(self.service.platform, event, subject=f"petition:{petition_id}")

    async def clocks(self, petition_id: uuid.UUID) -> list[dict[str, object]]:
        response = await self.client.get("/v1/clocks", params={"petition_id": str(petition_id)})
        assert response.status_code == 200, response.text
        body: list[dict[str, object]] = response.json()
        return body


@pytest.fixture
async def running(postgres_url: str, broker_namespace: BrokerNamespace) -> AsyncIterator[Running]:
    await asyncio.to_thread(upgrade, "huiyin_supervision", postgres_url)
    settings = SupervisionSettings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        events_exchange=broker_namespace.exchange,
        queue_prefix=broker_namespace.prefix,
        relay_poll_interval_seconds=0.2,
    )
    clock = FixedClock(datetime(2026, 9, 23, 2, 0, tzinfo=UTC))
    service = bootstrap(settings, clock=clock)
    broker_namespace.queue("supervision.petitions")
    app = build_app(service)
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://supervision") as client:
            yield Running(service, client, clock)


async def test_registration_opens_the_clock_and_acceptance_meets_it(running: Running) -> None:
    petition_id = uuid.uuid4()
    await running.publish(registered_event(petition_id), petition_id)

    async def opened() -> bool:
        return len(await running.clocks(petition_id)) == 1

    await eventually(opened)
    [clock] = await running.clocks(petition_id)
    assert clock["clock"] == "acceptance_notice"
    assert clock["start_date"] == "2026-09-22"
    assert clock["due_date"] == DUE.isoformat()
    assert clock["status"] == "running"
    assert clock["met_at"] is None
    explanation = clock["explanation"]
    assert isinstance(explanation, dict)
    assert explanation["rule"] == {
        "clock": "acceptance_notice",
        "description": "Acceptance notice to the petitioner: 15 days from receipt",
        "source": "002 五.1; 003",
    }
    assert explanation["counting_mode"] == "calendar_days"
    assert explanation["raw_end"] == "2026-10-07"
    assert explanation["shifted_over"] == [{"date": "2026-10-07", "name": "National Day"}]
    assert explanation["provisional"] is False

    await running.publish(accepted_event(petition_id), petition_id)

    async def met() -> bool:
        return (await running.clocks(petition_id))[0]["status"] == "met"

    await eventually(met)
    [clock] = await running.clocks(petition_id)
    assert datetime.fromisoformat(str(clock["met_at"])) == DECIDED_AT
    assert clock["met_event"] == "petition.accepted"
    assert clock["met_on_time"] is True
    assert clock["due_date"] == DUE.isoformat()


async def test_a_clock_nobody_stops_is_overdue_the_day_after_its_due_date(
    running: Running,
) -> None:
    petition_id = uuid.uuid4()
    await running.publish(registered_event(petition_id), petition_id)

    async def opened() -> bool:
        return len(await running.clocks(petition_id)) == 1

    await eventually(opened)
    running.clock.current = datetime(2026, 10, 8, 15, 59, tzinfo=UTC)  # 23:59 on the due day
    assert (await running.clocks(petition_id))[0]["status"] == "running"
    running.clock.current = datetime(2026, 10, 8, 16, 0, tzinfo=UTC)  # 00:00 the day after
    assert (await running.clocks(petition_id))[0]["status"] == "overdue"


async def test_a_decision_before_the_registration_is_not_lost(running: Running) -> None:
    petition_id = uuid.uuid4()
    await running.publish(not_accepted_event(petition_id), petition_id)

    async def stop_recorded() -> bool:
        async with running.service.platform.sessions() as session:
            row = (
                await session.execute(
                    select(petition_clocks.c.met_at).where(
                        petition_clocks.c.petition_id == petition_id
                    )
                )
            ).one_or_none()
        return row is not None

    await eventually(stop_recorded)
    assert await running.clocks(petition_id) == []  # nothing to show before it is opened

    await running.publish(registered_event(petition_id), petition_id)

    async def opened() -> bool:
        return len(await running.clocks(petition_id)) == 1

    await eventually(opened)
    [clock] = await running.clocks(petition_id)
    assert clock["status"] == "met"
    assert datetime.fromisoformat(str(clock["met_at"])) == DECIDED_AT
    assert clock["met_event"] == "petition.not_accepted"
    assert clock["due_date"] == DUE.isoformat()


async def test_the_due_date_calculator(running: Running) -> None:
    client = running.client
    response = await client.get(
        "/v1/calendar/due-date", params={"start": "2026-02-01", "days": 15, "mode": "calendar_days"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["due_date"] == "2026-02-24"  # day 15 is the first day of Spring Festival
    assert body["explanation"]["raw_end"] == "2026-02-16"
    assert [d["date"] for d in body["explanation"]["shifted_over"]] == [
        f"2026-02-{day}" for day in range(16, 24)
    ]
    assert body["explanation"]["rule"] is None

    working = await client.get(
        "/v1/calendar/due-date", params={"start": "2026-02-01", "days": 15, "mode": "working_days"}
    )
    assert working.json()["due_date"] == "2026-02-27"
    assert {"date": "2026-02-07", "name": "weekend"} in working.json()["explanation"][
        "skipped_days"
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-02-01", "days": "0"}, "query.days"),
        ({"start": "2026-02-01", "days": "3651"}, "query.days"),
        ({"start": "2026-02-30", "days": "15"}, "query.start"),
        ({"start": "1769904000", "days": "15"}, "query.start"),
        ({"start": "2026-02-01", "days": "15", "mode": "business_days"}, "query.mode"),
        ({"start": "9999-12-25", "days": "15"}, "query.start"),
    ],
)
async def test_the_calculator_refuses_bad_input_with_a_problem(
    running: Running, params: dict[str, str], field: str
) -> None:
    response = await running.client.get("/v1/calendar/due-date", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]
