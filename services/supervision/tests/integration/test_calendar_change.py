"""A calendar change reaches running due dates: recomputed, re-armed and published."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from huiyin_shared.clock import FixedClock
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import build_app
from huiyin_shared.testing.events import petition_facts, publish
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually
from huiyin_supervision.bootstrap import bootstrap
from huiyin_supervision.config import SupervisionSettings
from huiyin_supervision.db import messaging

from .test_cases import SUPERVISOR, routed

pytestmark = pytest.mark.integration


async def test_a_local_day_off_on_the_due_date_moves_it_and_says_so(
    postgres_url: str, broker_namespace: BrokerNamespace, tmp_path: Path
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_supervision", postgres_url)
    override = tmp_path / "calendar.yaml"
    override.write_text("holidays: []\n", encoding="utf-8")
    settings = SupervisionSettings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        events_exchange=broker_namespace.exchange,
        queue_prefix=broker_namespace.prefix,
        relay_poll_interval_seconds=0.2,
        calendar_override_file=override,
        sweep_interval_seconds=0.2,
    )
    service = bootstrap(settings, clock=FixedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))
    broker_namespace.queue("supervision.petitions")
    app = build_app(service)
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
            petition_id = uuid.uuid4()
            await publish(service.platform, routed(petition_id), subject=f"petition:{petition_id}")

            async def due_dates() -> set[str]:
                cases = (await client.get("/v1/cases", headers=SUPERVISOR)).json()
                found = set()
                for case in cases:
                    detail = (
                        await client.get(f"/v1/cases/{case['case_id']}", headers=SUPERVISOR)
                    ).json()
                    found |= {clock["due_date"] for clock in detail["clocks"]}
                return found

            async def opened() -> bool:
                return await due_dates() == {"2026-05-06"}

            await eventually(opened)
            override.write_text(
                "holidays:\n  - {date: 2026-05-06, name: County relocation day}\n",
                encoding="utf-8",
            )

            async def moved() -> bool:
                return await due_dates() == {"2026-05-07"}

            await eventually(moved)
            cases = (await client.get("/v1/cases", headers=SUPERVISOR)).json()
            detail = (
                await client.get(f"/v1/cases/{cases[0]['case_id']}", headers=SUPERVISOR)
            ).json()
            shifted = detail["clocks"][0]["explanation"]["shifted_over"]
            assert {"date": "2026-05-06", "name": "County relocation day"} in shifted
            async with service.platform.sessions() as session:
                types = (await session.execute(select(messaging.outbox.c.event_type))).scalars()
                # Two at opening, two for the change: one per running clock each time.
                assert list(types).count("case.deadline_set") == 4


async def test_next_year_s_notice_makes_provisional_due_dates_final(
    postgres_url: str, broker_namespace: BrokerNamespace, tmp_path: Path
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_supervision", postgres_url)
    override = tmp_path / "calendar.yaml"
    override.write_text("holidays: []\n", encoding="utf-8")
    settings = SupervisionSettings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        events_exchange=broker_namespace.exchange,
        queue_prefix=broker_namespace.prefix,
        relay_poll_interval_seconds=0.2,
        calendar_override_file=override,
        sweep_interval_seconds=0.2,
    )
    accepted = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    service = bootstrap(settings, clock=FixedClock(accepted))
    broker_namespace.queue("supervision.petitions")
    app = build_app(service)
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
            petition_id = uuid.uuid4()
            event = routed(petition_id).model_copy(
                update={"petition": petition_facts(accepted_at=accepted)}
            )
            await publish(service.platform, event, subject=f"petition:{petition_id}")

            async def clocks() -> list[dict[str, object]]:
                found: list[dict[str, object]] = []
                for case in (await client.get("/v1/cases", headers=SUPERVISOR)).json():
                    detail = (
                        await client.get(f"/v1/cases/{case['case_id']}", headers=SUPERVISOR)
                    ).json()
                    found += detail["clocks"]
                return found

            async def provisional() -> bool:
                found = await clocks()
                return len(found) == 2 and all(c["provisional"] for c in found)

            await eventually(provisional)
            # 60 days from 1 Dec 2026 is Saturday 30 Jan 2027: a year without official data.
            assert {c["due_date"] for c in await clocks()} == {"2027-02-01"}
            override.write_text(
                "complete_years: [2027]\n"
                "holidays:\n  - {date: 2027-02-01, name: Spring Festival (notice)}\n",
                encoding="utf-8",
            )

            async def final() -> bool:
                found = await clocks()
                return all(not c["provisional"] for c in found)

            await eventually(final)
            assert {c["due_date"] for c in await clocks()} == {"2027-02-02"}
