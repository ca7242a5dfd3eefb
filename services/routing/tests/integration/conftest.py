"""A routing service on a fresh PostgreSQL database, driven through its HTTP API and use
cases; events are read back from its outbox (the relay is not started here)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from huiyin_routing.bootstrap import bootstrap
from huiyin_routing.config import RoutingSettings
from huiyin_routing.db import messaging
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import issue_token
from huiyin_shared.runtime import ServiceApp, build_app

SAMPLE = resources.files("huiyin_routing.data").joinpath("sample-registry.yaml").read_text()


def bearer(*roles: str, staff: str = "staff-1", unit: str = "370102-xfb") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(staff_id=staff, roles=roles, unit_id=unit)}"}


ADMIN = bearer("registry_admin", staff="admin-1")
LEADER = bearer("leader", staff="370102-zf-fz1")
CLERK = bearer("clerk", staff="clerk-1")


@dataclass
class Routing:
    service: ServiceApp
    client: httpx.AsyncClient

    def uow(self) -> RoutingUnitOfWork:
        return self.service.platform.unit_of_work_factory(RoutingUnitOfWork)()

    async def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The envelopes in the outbox, oldest first."""
        table = messaging.outbox
        query = select(table.c.envelope).order_by(table.c.position)
        if event_type is not None:
            query = query.where(table.c.event_type == event_type)
        async with self.service.platform.engine.connect() as connection:
            rows = (await connection.execute(query)).scalars().all()
        return [json.loads(row) for row in rows]

    async def import_sample(self, text: str = SAMPLE) -> httpx.Response:
        return await self.client.post(
            "/v1/registry/imports",
            params={"reason": "initial registry", "source": "sample-registry.yaml"},
            content=text.encode(),
            headers={**ADMIN, "Content-Type": "application/yaml"},
        )


def routing_settings(postgres_url: str, **changes: Any) -> RoutingSettings:
    return RoutingSettings(database_url=postgres_url, **changes)


@pytest.fixture
async def routing(postgres_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Routing]:
    await asyncio.to_thread(upgrade, "huiyin_routing", postgres_url)
    changes = getattr(request, "param", {})
    service = bootstrap(routing_settings(postgres_url, **changes), consumers=False)
    app = build_app(service)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://routing") as client:
        yield Routing(service, client)
    await service.platform.engine.dispose()
