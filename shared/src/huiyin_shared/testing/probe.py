"""A tiny service the kit's own tests, fault tests and benchmarks use to exercise the messaging plumbing: one event type, one effects table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, Uuid, func, insert, select

from huiyin_shared.contracts.catalogue import EventData, event
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.uow import UnitOfWork
from huiyin_shared.messaging.tables import messaging_tables
from huiyin_shared.platform import Platform
from huiyin_shared.settings import ServiceSettings

metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False),
    Column("n", Integer, nullable=False),
)


@event("testing.ping")
class Ping(EventData):
    """Test-only contract: carries a number that the handler records once."""

    n: int


def probe_settings(
    *, database_url: str, amqp_url: str, exchange: str, prefix: str, **extra: Any
) -> ServiceSettings:
    return ServiceSettings(
        service_name="probe",
        database_url=database_url,
        amqp_url=amqp_url,
        events_exchange=exchange,
        queue_prefix=prefix,
        relay_poll_interval_seconds=0.5,
        broker_retry_max_seconds=1.0,
        publish_timeout_seconds=5.0,
        **extra,
    )


async def record_effect(event: EventData, envelope: Envelope, uow: UnitOfWork) -> None:
    await uow.session.execute(insert(effects).values(event_id=envelope.id, n=event.n))  # type: ignore[attr-defined]


async def create_schema(platform: Platform) -> None:
    async with platform.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)


async def publish_pings(platform: Platform, numbers: range, *, per_transaction: int = 1) -> None:
    values = list(numbers)
    for start in range(0, len(values), per_transaction):
        async with platform.unit_of_work() as uow:
            for n in values[start : start + per_transaction]:
                await uow.publish(Ping(n=n), subject=f"ping:{n}")
            await uow.commit()


async def count(platform: Platform, what: Any) -> int:
    async with platform.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(what))).scalar_one())


async def distinct_effects(platform: Platform) -> int:
    async with platform.sessions() as session:
        return int(
            (await session.execute(select(func.count(func.distinct(effects.c.n))))).scalar_one()
        )


async def unsent(platform: Platform) -> int:
    outbox = platform.tables.outbox
    async with platform.sessions() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
            ).scalar_one()
        )


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
