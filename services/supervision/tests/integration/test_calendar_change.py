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
from huiyin_shared.testing.events import publish
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
