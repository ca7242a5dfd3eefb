"""The pieces every service wires the same way: clock, database, outbox, broker, relay.

A service's ``bootstrap.py`` builds one :class:`Platform`, adds its consumers, background
work and routes, and hands it to :mod:`huiyin_shared.runtime` to run. Tests build one too,
with their own settings, clock and database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from huiyin_shared.clock import Clock, clock_from_settings
from huiyin_shared.db.engine import (
    engine_from_settings,
    reading_session_factory,
    session_factory,
)
from huiyin_shared.db.uow import UnitOfWork
from huiyin_shared.logging import describe_error
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.consumer import (
    EventConsumer,
    Handler,
)
from huiyin_shared.messaging.outbox import OutboxWriter
from huiyin_shared.messaging.publisher import EventPublisher
from huiyin_shared.messaging.relay import OutboxRelay
from huiyin_shared.messaging.tables import MessagingTables
from huiyin_shared.metrics import BACKGROUND_RESTARTS
from huiyin_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)

DLQ_SAMPLE_SECONDS = 15.0
BACKGROUND_RESTART_FIRST_SECONDS = 1.0
BACKGROUND_RESTART_MAX_SECONDS = 60.0
"""A crashed background task is restarted after 1 s, doubling up to a minute between crashes."""

U = TypeVar("U", bound=UnitOfWork)


@dataclass(frozen=True, slots=True)
class BackgroundWork:
    """A long-running loop a service runs beside its consumers (sweeps, timers)."""

    name: str
    run: Callable[[], Awaitable[None]]
    with_relay: bool


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
        self.reading_sessions: async_sessionmaker[Any] = reading_session_factory(self.engine)
        self.tables = tables
        self.outbox = OutboxWriter(
            table=tables.outbox, producer=settings.service_name, clock=self.clock
        )
        self.broker = Broker(
            settings.amqp_url.get_secret_value(),
            connection_name=settings.service_name,
            retry_max_seconds=settings.broker_retry_max_seconds,
            heartbeat_seconds=settings.broker_heartbeat_seconds,
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
        self.background: list[BackgroundWork] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._background_tasks: list[asyncio.Task[None]] = []
        self._closers: list[Callable[[], Awaitable[None]]] = []

    def unit_of_work(self) -> UnitOfWork:
        """A plain unit of work; services subclass UnitOfWork to add repositories."""
        return self.unit_of_work_factory(UnitOfWork)()

    def unit_of_work_factory(self, kind: type[U], *, reads_only: bool = False) -> Callable[[], U]:
        """Factory of a service's unit of work, committing through this platform's outbox;
        ``reads_only``: one that reads outside any transaction and cannot write."""
        sessions = self.reading_sessions if reads_only else self.sessions

        def make() -> U:
            return kind(sessions, self.outbox, relay=self.relay)

        return make

    def consumer_options(
        self, uow_factory: Callable[[], UnitOfWork] | None = None
    ) -> dict[str, Any]:
        """What every consumer of this service shares: broker names, inbox, clock, limits."""
        return {
            "uow_factory": uow_factory or self.unit_of_work,
            "inbox": self.tables.inbox,
            "clock": self.clock,
            "exchange": self.settings.events_exchange,
            "queue_prefix": self.settings.queue_prefix,
            "prefetch": self.settings.consumer_prefetch,
            "concurrency": self.settings.consumer_concurrency,
            "group_wait_seconds": self.settings.consumer_group_wait_seconds,
            "delivery_limit": self.settings.delivery_limit,
        }

    def add_consumer(
        self,
        name: str,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork] | None = None,
    ) -> EventConsumer:
        """A consumer applying each event with the handler of its type."""
        consumer = EventConsumer(
            self.broker, name=name, handlers=handlers, **self.consumer_options(uow_factory)
        )
        self.consumers.append(consumer)
        return consumer

    def add_background(
        self, name: str, run: Callable[[], Awaitable[None]], *, with_relay: bool = True
    ) -> None:
        """Run ``run()`` from :meth:`start` to :meth:`stop`, restarted if it crashes.

        ``with_relay`` work runs only in processes that relay the outbox (the ones doing the
        service's periodic work); ``with_relay=False`` work runs in every started process.
        """
        if any(work.name == name for work in self.background):
            raise ValueError(f"background work {name!r} is added already")
        self.background.append(BackgroundWork(name=name, run=run, with_relay=with_relay))

    def on_stop(self, close: Callable[[], Awaitable[None]]) -> None:
        """Run ``close()`` first in :meth:`stop`: work begun for requests that must end
        while the engine and the broker are still there."""
        self._closers.append(close)

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
        for work in self.background:
            if relay or not work.with_relay:
                self._background_tasks.append(
                    asyncio.create_task(self._keep_running(work), name=work.name)
                )

    async def stop(self) -> None:
        for close in self._closers:
            try:
                await close()
            except Exception as exc:
                log.warning("platform.close_failed", error=describe_error(exc))
        # Background work first: it may still be writing through the broker and the engine.
        for task in self._background_tasks:
            task.cancel()
        for task in self._background_tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._background_tasks.clear()
        await self.broker.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.engine.dispose()

    async def _keep_running(self, work: BackgroundWork) -> None:
        delay = BACKGROUND_RESTART_FIRST_SECONDS
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await work.run()
            except Exception:
                BACKGROUND_RESTARTS.labels(service=self.settings.service_name, task=work.name).inc()
                # A task that ran a good while before crashing starts its backoff afresh.
                if asyncio.get_running_loop().time() - started > BACKGROUND_RESTART_MAX_SECONDS:
                    delay = BACKGROUND_RESTART_FIRST_SECONDS
                log.exception("background.crashed", task=work.name, restart_in_seconds=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKGROUND_RESTART_MAX_SECONDS)
            else:
                log.info("background.finished", task=work.name)
                return

    async def _sample_dead_letters(self) -> None:
        while True:
            await asyncio.sleep(DLQ_SAMPLE_SECONDS)
            for consumer in self.consumers:
                try:
                    await consumer.sample_dead_letters()
                except Exception as exc:
                    log.warning(
                        "consumer.dlq_sample_failed",
                        queue=consumer.queue_name,
                        error=describe_error(exc),
                    )
