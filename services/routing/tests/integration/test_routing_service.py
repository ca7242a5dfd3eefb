"""The routing service end to end on real PostgreSQL and RabbitMQ: migrations, registry
import, the consumer deciding on acceptance and on a return, the relay sending the result."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from huiyin_routing.bootstrap import bootstrap
from huiyin_routing.config import RoutingSettings
from huiyin_routing.db import messaging, routing_decisions
from huiyin_shared.contracts.events.common import UnitRef
from huiyin_shared.contracts.events.routing import CaseReturnedByUnit
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import build_app
from huiyin_shared.testing.events import petition_accepted, publish
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually

from .conftest import ADMIN, CLERK, SAMPLE

pytestmark = pytest.mark.integration


async def test_accepted_petition_is_routed_and_rerouted_after_a_return(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_routing", postgres_url)
    settings = RoutingSettings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        events_exchange=broker_namespace.exchange,
        queue_prefix=broker_namespace.prefix,
    )
    service = bootstrap(settings)
    broker_namespace.queue("routing.petitions")
    app = build_app(service)
    event = petition_accepted(office_id="370102-xfb")
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://routing") as client:
            imported = await client.post(
                "/v1/registry/imports",
                params={"reason": "initial registry"},
                content=SAMPLE.encode(),
                headers={**ADMIN, "Content-Type": "application/yaml"},
            )
            assert imported.status_code == 201, imported.text
            await publish(service.platform, event, subject=f"petition:{event.petition_id}")
            url = f"/v1/routing-requests/{event.petition_id}"

            async def status_is(expected: str) -> bool:
                response = await client.get(url, headers=CLERK)
                return response.status_code == 200 and response.json()["status"] == expected

            await eventually(lambda: status_is("routed"))
            routed = (await client.get(url, headers=CLERK)).json()
            assert routed["lead_unit_id"] == "370102-rsj"

            returned = CaseReturnedByUnit(
                case_id=uuid.uuid4(),
                petition_id=event.petition_id,
                unit=UnitRef(
                    unit_id="370102-rsj",
                    unit_name="历下区人力资源和社会保障局",
                    division_code="370102",
                ),
                reason="系建设工程领域欠薪，应由住建部门牵头",
                returned_at=datetime.now(UTC),
                returned_by="370102-rsj-h1",
            )
            await publish(service.platform, returned, subject=f"petition:{event.petition_id}")

            async def rerouted() -> bool:
                body = (await client.get(url, headers=CLERK)).json()
                return body["bounce_count"] == 1 and body["lead_unit_id"] == "370100-rsj"

            await eventually(rerouted)

            async def relayed() -> bool:
                outbox = messaging.outbox
                async with service.platform.engine.connect() as connection:
                    rows = await connection.execute(
                        select(outbox.c.event_type, outbox.c.sent_at).where(
                            outbox.c.event_type.in_(["petition.routed", "petition.rerouted"])
                        )
                    )
                    sent = [(t, s is not None) for t, s in rows]
                return sorted(sent) == [("petition.rerouted", True), ("petition.routed", True)]

            await eventually(relayed)
            async with service.platform.engine.connect() as connection:
                sequences = await connection.scalars(
                    select(routing_decisions.c.sequence)
                    .where(routing_decisions.c.petition_id == event.petition_id)
                    .order_by(routing_decisions.c.sequence)
                )
                assert list(sequences) == [1, 2]
            missing = await client.get(f"/v1/routing-requests/{uuid.uuid4()}", headers=CLERK)
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/problem+json")
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
