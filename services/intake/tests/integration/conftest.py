"""The intake harness for integration tests: migrated PostgreSQL, a test broker namespace,
staff tokens, portal keys, request factories — and, on teardown, a scan of every event the
test produced for identity fields and values (no event ever carries an identity)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractQueue
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from huiyin_intake.bootstrap import bootstrap, build_context
from huiyin_intake.config import IntakeSettings
from huiyin_intake.db import messaging
from huiyin_intake.domain.portal import PortalScope
from huiyin_intake.service import portal as portal_service
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.catalogue import EventData, build_envelope
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import StaffRole, issue_token
from huiyin_shared.logging import IDENTITY_FIELDS
from huiyin_shared.messaging.topology import declare_events_exchange
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import ServiceApp, build_app
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 March in Shanghai
OFFICE = "office-370102"
PROBLEM = "application/problem+json"

ID_NUMBERS = ("370102198001011237", "370103199002154564", "440304198511207899")
PHONES = ("13800138000", "13912345678", "02188886666")
NAMES = ("张三丰", "李四光", "王五福", "赵六顺", "钱七宝")
SECRET_VALUES = (*ID_NUMBERS, *PHONES, *NAMES, "济南市历下区文化东路", "someone@example.cn")


def identity(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": NAMES[0],
        "id_number": ID_NUMBERS[0],
        "phone": PHONES[0],
        "address": "济南市历下区文化东路",
        "gender": "male",
        "email": "someone@example.cn",
    }
    body.update(changes)
    return body


def petition(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "letter",
        "kind": "help_request",
        "received_at": "2026-03-01T17:30:00+00:00",  # 01:30 on 2 March in Shanghai
        "anonymous": False,
        "identity": identity(),
        "people_count": 1,
        "accused_unit_ids": ["unit-construction-co"],
        "accused_persons": [],
        "division_code": "370102",
        "address_text": "历下区某建筑工地",
        "subject_category": "labour.wages",
        "summary": "拖欠工资三个月，多次讨要未果",
        "requests": "请求督促支付拖欠工资",
        "evidence": ["工资条复印件", "劳动合同"],
    }
    body.update(changes)
    return body


def leaks(payload: Any, path: str = "$") -> list[str]:
    """Where an event payload carries an identity field or a known identity value."""
    found: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            if str(key).lower() in IDENTITY_FIELDS:
                found.append(f"{path}.{key}")
            found.extend(leaks(value, f"{path}.{key}"))
    elif isinstance(payload, list):
        for index, value in enumerate(payload):
            found.extend(leaks(value, f"{path}[{index}]"))
    elif isinstance(payload, str):
        found.extend(f"{path}: {secret}" for secret in SECRET_VALUES if secret in payload)
    return found


@dataclass
class Harness:
    settings: IntakeSettings
    broker: BrokerNamespace

    now = NOW
    office = OFFICE
    id_numbers = ID_NUMBERS
    phones = PHONES
    names = NAMES
    petition = staticmethod(petition)
    identity = staticmethod(identity)
    leaks = staticmethod(leaks)

    @staticmethod
    async def next_envelope(queue: AbstractQueue, event_type: str) -> Envelope:
        return await next_envelope(queue, event_type)

    async def portal_key(self, *scopes: str, portal: str = "web", office: str = OFFICE) -> str:
        """Issue a key as the admin command does; returns the plaintext, shown once."""
        platform = Platform(self.settings, tables=messaging, clock=FixedClock(NOW))
        context = build_context(self.settings, platform.clock)
        try:
            async with platform.unit_of_work_factory(IntakeUnitOfWork)() as uow:
                issued = await portal_service.issue_key(
                    uow,
                    context,
                    portal_id=portal,
                    office_id=office,
                    scopes=[PortalScope(s) for s in scopes or ("submit", "track", "feedback")],
                )
                await uow.commit()
        finally:
            await platform.engine.dispose()
        return issued.plaintext

    def token(
        self, *roles: StaffRole, staff: str = "clerk-1", unit: str = OFFICE
    ) -> dict[str, str]:
        token = issue_token(staff_id=staff, roles=roles or (StaffRole.CLERK,), unit_id=unit)
        return {"Authorization": f"Bearer {token}"}

    @property
    def clerk(self) -> dict[str, str]:
        return self.token(StaffRole.CLERK)

    @asynccontextmanager
    async def running(
        self, clock: FixedClock | None = None, *, consumers: bool = False
    ) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceApp]]:
        service = bootstrap(self.settings, clock=clock or FixedClock(NOW), consumers=consumers)
        self.broker.adopt(service.platform.consumers)
        app = build_app(service)
        async with app.router.lifespan_context(app):
            await service.platform.broker.wait_connected(10)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
                yield client, service

    @asynccontextmanager
    async def client(self, clock: FixedClock | None = None) -> AsyncIterator[httpx.AsyncClient]:
        async with self.running(clock) as (client, _):
            yield client

    @asynccontextmanager
    async def tap(self, pattern: str = "#") -> AsyncIterator[AbstractQueue]:
        connection = await aio_pika.connect(self.broker.amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await declare_events_exchange(channel, self.broker.exchange)
            queue = await channel.declare_queue(self.broker.queue("test.tap"))
            await queue.bind(exchange, routing_key=pattern)
            yield queue

    async def emit(self, *events: EventData | Envelope, producer: str = "supervision") -> None:
        """Publish other services' events (or exact envelopes, to redeliver) to the exchange."""
        connection = await aio_pika.connect(self.broker.amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await declare_events_exchange(channel, self.broker.exchange)
            for event in events:
                envelope = (
                    event
                    if isinstance(event, Envelope)
                    else build_envelope(event, producer=producer, subject="test", occurred_at=NOW)
                )
                await exchange.publish(
                    aio_pika.Message(
                        envelope.model_dump_json().encode(),
                        content_type="application/json",
                        message_id=str(envelope.id),
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=envelope.type,
                )

    async def outbox(self) -> list[Envelope]:
        """Every event this test's service wrote, in order."""
        url = self.settings.sqlalchemy_url()
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                table = messaging.outbox
                rows = (await connection.execute(select(table))).mappings().all()
        finally:
            await engine.dispose()
        return [Envelope.model_validate(json.loads(row["envelope"])) for row in rows]


async def next_envelope(queue: AbstractQueue, event_type: str) -> Envelope:
    """The next message on ``queue`` of ``event_type`` (others are acknowledged and skipped)."""
    found: list[Envelope] = []

    async def arrived() -> bool:
        message = await queue.get(fail=False, timeout=5)
        if message is None:
            return False
        await message.ack()
        envelope = Envelope.model_validate_json(message.body)
        if envelope.type == event_type:
            found.append(envelope)
        return bool(found)

    await eventually(arrived, timeout=20)
    return found[0]


@pytest.fixture
async def intake(postgres_url: str, broker_namespace: BrokerNamespace) -> AsyncIterator[Harness]:
    await asyncio.to_thread(upgrade, "huiyin_intake", postgres_url)
    settings = IntakeSettings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        events_exchange=broker_namespace.exchange,
        queue_prefix=broker_namespace.prefix,
        relay_poll_interval_seconds=0.2,
    )
    harness = Harness(settings=settings, broker=broker_namespace)
    yield harness
    for envelope in await harness.outbox():
        found = leaks(envelope.data)
        assert not found, f"{envelope.type} carries identity: {found}"
