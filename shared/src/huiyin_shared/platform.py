"""The pieces every service wires the same way: clock, database, outbox, broker, relay.

A service's ``bootstrap.py`` builds one :class:`Platform`, adds its consumers and routes,
and hands it to :mod:`huiyin_shared.runtime` to run. Tests build one too, with their own
settings, clock and database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from huiyin_shared.clock import Clock, clock_from_settings
from huiyin_shared.db.engine import engine_from_settings, session_factory
from huiyin_shared.db.uow import UnitOfWork
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.consumer import EventConsumer, Handler
from huiyin_shared.messaging.outbox import OutboxWriter
from huiyin_shared.messaging.publisher import EventPublisher
from huiyin_shared.messaging.relay import OutboxRelay
from huiyin_shared.messaging.tables import MessagingTables
from huiyin_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)

DLQ_SAMPLE_SECONDS = 15.0

U = TypeVar("U", bound=UnitOfWork)


class Platform:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        tables: MessagingTables,
        clock: Clock | None = None,
        engine: AsyncEngine | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or clock_from_settings(settings.clock_control_file)
        self.engine = engine or engine_from_settings(settings)
        self.sessions: async_sessionmaker[Any] = session_factory(self.engine)
        self.tables = tables
        self.outbox = OutboxWriter(
            table=tables.outbox, producer=settings.service_name, clock=self.clock
        )
        self.broker = Broker(
            settings.amqp_url.get_secret_value(),
            connection_name=settings.service_name,
            retry_max_seconds=settings.broker_retry_max_seconds,
        )
        self.publisher = EventPublisher(
            self.broker,
            exchange=settings.events_exchange,
            producer=settings.service_name,
            timeout=settings.publish_timeout_seconds,
        )
        self.relay = OutboxRelay(
            engine=self.engine,
            sessions=self.sessions,
            table=tables.outbox,
            publisher=self.publisher,
            service=settings.service_name,
            clock=self.clock,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval_seconds,
        )
        self.broker.on_ready(self.relay.wake)
        self.consumers: list[EventConsumer] = []
        self._tasks: list[asyncio.Task[None]] = []

    def unit_of_work(self) -> UnitOfWork:
        """A plain unit of work; services subclass UnitOfWork to add repositories."""
        return self.unit_of_work_factory(UnitOfWork)()

    def unit_of_work_factory(self, kind: type[U]) -> Callable[[], U]:
        """Factory of a service's unit of work, committing through this platform's outbox."""

        def make() -> U:
            return kind(self.sessions, self.outbox, after_commit=self.relay.wake)

        return make

    def add_consumer(
        self,
        name: str,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork] | None = None,
    ) -> EventConsumer:
        consumer = EventConsumer(
            self.broker,
            name=name,
            handlers=handlers,
            uow_factory=uow_factory or self.unit_of_work,
            inbox=self.tables.inbox,
            clock=self.clock,
            exchange=self.settings.events_exchange,
            queue_prefix=self.settings.queue_prefix,
            prefetch=self.settings.consumer_prefetch,
            delivery_limit=self.settings.delivery_limit,
        )
        self.consumers.append(consumer)
        return consumer

    async def check_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def start(self, *, relay: bool = True) -> None:
        """Start the broker connection (and with it the consumers), and the relay."""
        self._tasks.append(asyncio.create_task(self.broker.run(), name="broker"))
        if relay:
            self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        if self.consumers:
            self._tasks.append(asyncio.create_task(self._sample_dead_letters(), name="dlq-sampler"))

    async def stop(self) -> None:
        await self.broker.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.engine.dispose()

    async def _sample_dead_letters(self) -> None:
        while True:
            await asyncio.sleep(DLQ_SAMPLE_SECONDS)
            for consumer in self.consumers:
                try:
                    await consumer.sample_dead_letters()
                except Exception as exc:
                    log.warning(
                        "consumer.dlq_sample_failed", queue=consumer.queue_name, error=str(exc)
                    )
