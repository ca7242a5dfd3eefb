"""The routing skeleton on real PostgreSQL and RabbitMQ: migrations, relay, consumer, API."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from huiyin_routing.bootstrap import bootstrap
from huiyin_routing.config import RoutingSettings
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import build_app
from huiyin_shared.testing.events import petition_accepted, publish
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration


async def test_accepted_petition_is_queued_for_routing(
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
    event = petition_accepted()
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        await publish(service.platform, event, subject=f"petition:{event.petition_id}")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://routing") as client:

            async def queued() -> bool:
                response = await client.get(f"/v1/routing-requests/{event.petition_id}")
                return response.status_code == 200

            await eventually(queued)
            listing = (await client.get("/v1/routing-requests")).json()
            assert [r["petition_id"] for r in listing] == [str(event.petition_id)]
            assert listing[0]["division_code"] == "370102"
            missing = await client.get(f"/v1/routing-requests/{uuid.uuid4()}")
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/problem+json")
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
