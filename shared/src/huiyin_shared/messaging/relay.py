"""The outbox relay: publishes committed outbox rows and marks them sent.

Several replicas may run it at once: each claims a batch with ``FOR UPDATE SKIP LOCKED``,
marking it sent in the same statement, and holds the row locks while it publishes, so no
two relays send the same row. The mark only counts once the transaction commits, after the
broker confirmed every row (a row it did not confirm is unmarked first). If a relay dies
after the broker confirmed but before that commit, the rows are sent again and the
consumers' inbox absorbs the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import asyncpg
import structlog
from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from huiyin_shared.clock import Clock
from huiyin_shared.logging import describe_error
from huiyin_shared.messaging.outbox import NOTIFY_CHANNEL
from huiyin_shared.messaging.publisher import EventPublisher, OutgoingMessage
from huiyin_shared.metrics import (
    MESSAGES_PUBLISH_FAILED,
    MESSAGES_PUBLISHED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
)

log = structlog.get_logger(__name__)


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        sessions: async_sessionmaker[Any],
        table: Table,
        publisher: EventPublisher,
        service: str,
        clock: Clock,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._table = table
        self._publisher = publisher
        self._service = service
        self._clock = clock
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._retention = retention
        # Built once: a relay runs it for every batch, and building it costs more than a row.
        table = self._table
        batch = (
            select(table.c.position)
            .where(table.c.sent_at.is_(None))
            .order_by(table.c.position)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        self._claim = (
            update(table)
            .where(table.c.position.in_(batch))
            .values(sent_at=bindparam("now"))
            .returning(
                table.c.position,
                table.c.event_id,
                table.c.event_type,
                table.c.routing_key,
                table.c.envelope,
                table.c.correlation_id,
                table.c.created_at,
            )
        )
        self._wake = asyncio.Event()
        self._running = False

    @property
    def running(self) -> bool:
        """True while :meth:`run` relays in this process."""
        return self._running

    def wake(self) -> None:
        """Called after a commit that wrote outbox rows: relay now, not at the next poll."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were confirmed and marked sent."""
        if not self._publisher.ready:
            # Claiming rows now would only fail them; a (re)connection wakes the relay.
            return 0
        table = self._table
        async with self._sessions() as session, session.begin():
            # Claimed and marked sent in one statement, the row locks held until the commit:
            # if a publish fails the row is unmarked again below, and if the process dies
            # first the transaction rolls back and the rows are unsent as before.
            claimed = await session.execute(self._claim, {"now": self._clock.now()})
            rows = sorted(claimed.all(), key=lambda row: row.position)
            if not rows:
                return 0
            outcomes = await asyncio.gather(
                *(
                    self._publisher.publish(
                        OutgoingMessage(
                            event_id=str(row.event_id),
                            event_type=row.event_type,
                            routing_key=row.routing_key,
                            body=row.envelope.encode(),
                            correlation_id=row.correlation_id,
                            created_at=row.created_at,
                        )
                    )
                    for row in rows
                ),
                return_exceptions=True,
            )
            sent = [row.position for row, out in zip(rows, outcomes, strict=True) if out is None]
            for row, outcome in zip(rows, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    MESSAGES_PUBLISH_FAILED.labels(self._service, row.event_type).inc()
                    await session.execute(
                        update(table)
                        .where(table.c.position == row.position)
                        .values(
                            sent_at=None,
                            attempts=table.c.attempts + 1,
                            last_error=repr(outcome)[:2000],
                        )
                    )
                else:
                    MESSAGES_PUBLISHED.labels(self._service, row.event_type).inc()
        failed = len(rows) - len(sent)
        if failed:
            log.warning("outbox.publish_failed", failed=failed, sent=len(sent))
        return len(sent)

    async def sample_backlog(self) -> tuple[int, float]:
        """Rows waiting and the age in seconds of the oldest; also sets the gauges."""
        table = self._table
        async with self._sessions() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(table.c.created_at)).where(
                        table.c.sent_at.is_(None)
                    )
                )
            ).one()
        age = 0.0 if oldest is None else max(0.0, (self._clock.now() - oldest).total_seconds())
        OUTBOX_BACKLOG.labels(self._service).set(count)
        OUTBOX_OLDEST_AGE.labels(self._service).set(age)
        return int(count), age

    async def purge_sent(self) -> int:
        """Delete rows confirmed longer ago than the retention period."""
        cutoff = self._clock.now() - self._retention
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(self._table).where(self._table.c.sent_at < cutoff)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def run(self) -> None:
        """Relay until cancelled: on every wake-up, on every poll, batch after batch."""
        listener = asyncio.create_task(self._listen_for_commits())
        loop = asyncio.get_running_loop()
        next_sample = 0.0
        next_purge = loop.time() + 60.0
        self._running = True
        try:
            while True:
                self._wake.clear()
                try:
                    while await self.relay_once() == self._batch_size:
                        pass
                    if loop.time() >= next_sample:
                        await self.sample_backlog()
                        next_sample = loop.time() + 5.0
                    if loop.time() >= next_purge:
                        await self.purge_sent()
                        next_purge = loop.time() + 600.0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("outbox.relay_failed", error=describe_error(exc))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval):
                        await self._wake.wait()
        finally:
            self._running = False
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener

    async def _listen_for_commits(self) -> None:
        """On PostgreSQL, LISTEN so commits in other processes wake this relay."""
        url = self._engine.url
        if url.get_backend_name() != "postgresql":
            return
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                connection = await asyncpg.connect(dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda *_, lost=lost: lost.set())
                try:
                    await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self.wake())
                    await lost.wait()
                finally:
                    with contextlib.suppress(Exception):
                        await connection.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox.listen_failed", error=describe_error(exc))
                await asyncio.sleep(5)
