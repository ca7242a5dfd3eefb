"""Fixtures every Huiyin package's tests get through the ``huiyin`` pytest plugin."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import pytest

from huiyin_shared.messaging.consumer import EventConsumer
from huiyin_shared.messaging.topology import (
    dead_letter_exchange_name,
    dead_letter_queue_name,
    unrouted_queue_name,
)
from huiyin_shared.testing.infrastructure import Infrastructure, create_database, drop_database

__all__ = ["any_database_url", "broker_namespace", "infrastructure", "postgres_url"]


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    infra = Infrastructure()
    yield infra
    infra.close()


@pytest.fixture
async def postgres_url(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy asyncpg URL); dropped after."""
    name = f"huiyin_test_{uuid.uuid4().hex[:12]}"
    url = await create_database(infrastructure.postgres_url, name)
    yield url
    await drop_database(infrastructure.postgres_url, name)


@pytest.fixture(params=["postgresql", "sqlite"])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind the services run on: the test runs twice."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@dataclass
class BrokerNamespace:
    """Uniquely named exchange and queues so concurrent test runs never meet."""

    amqp_url: str
    prefix: str
    queues: list[str] = field(default_factory=list)

    @property
    def exchange(self) -> str:
        return f"{self.prefix}.events"

    def queue(self, consumer: str) -> str:
        name = f"{self.prefix}.{consumer}"
        self.queues.append(name)
        return name

    def adopt(self, consumers: Iterable[EventConsumer]) -> None:
        """Delete these consumers' queues with the rest: a service started by a test
        declares them, and the broker would keep them (and slow down) after the test."""
        self.queues.extend(c.queue_name for c in consumers if c.queue_name not in self.queues)

    async def delete_all(self) -> None:
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel()
            for queue in self.queues:
                await channel.queue_delete(queue)
                await channel.queue_delete(dead_letter_queue_name(queue))
            await channel.queue_delete(unrouted_queue_name(self.exchange))
            for exchange in (
                self.exchange,
                dead_letter_exchange_name(self.exchange),
                unrouted_queue_name(self.exchange),
            ):
                await channel.exchange_delete(exchange)


@pytest.fixture
async def broker_namespace(infrastructure: Infrastructure) -> AsyncIterator[BrokerNamespace]:
    namespace = BrokerNamespace(
        amqp_url=infrastructure.amqp_url, prefix=f"t{uuid.uuid4().hex[:10]}"
    )
    yield namespace
    await namespace.delete_all()
