"""The outbox relay: publishes committed outbox rows and marks them sent.

Rows committed by this process's own units of work are handed over right after their
commit: the relay publishes them from memory and then marks them sent with one statement,
without reading them back. Every other row (written by another process, or handed over
when the broker could not take it) is claimed: on start, on a (re)connection, on a
``NOTIFY`` from another process and at every poll.

Several replicas may run it at once. A claim takes a batch with ``FOR UPDATE SKIP
LOCKED``, marking it sent in the same statement, and holds the row locks while it
publishes; the mark only counts once the transaction commits, after the broker confirmed
every row (a row it did not confirm is unmarked first). A row is marked sent only after the
broker confirmed it, so none is ever lost; one may be sent twice (a relay dying between the
confirm and the mark, or another replica's poll claiming a handed-over row in the moment
before it is marked), and the consumers' inbox absorbs the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
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


def outgoing_message(row: Any) -> OutgoingMessage:
    """The message an outbox row holds."""
    return OutgoingMessage(
        event_id=str(row.event_id),
        event_type=row.event_type,
        routing_key=row.routing_key,
        body=row.envelope.encode(),
        correlation_id=row.correlation_id,
        created_at=row.created_at,
    )


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
        self._mark_sent = (
            update(table)
            .where(table.c.event_id == bindparam("id"))
            .where(table.c.sent_at.is_(None))
            .values(sent_at=bindparam("now"))
        )
        # One statement, no transaction around it: neither a BEGIN nor a COMMIT round trip.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._handed: list[OutgoingMessage] = []
        self._claim_due = True
        self._wake = asyncio.Event()
        self._running = False

    @property
    def running(self) -> bool:
        """True while :meth:`run` relays in this process."""
        return self._running

    def wake(self) -> None:
        """Claim unsent rows now, not at the next poll: another process committed some, or
        the broker (re)connected."""
        self._claim_due = True
        self._wake.set()

    def hand_over(self, messages: Sequence[OutgoingMessage]) -> None:
        """Called after a commit in this process with the outbox rows it wrote, in order."""
        self._handed.extend(messages)
        self._wake.set()

    async def relay_handed(self) -> int:
        """Publish the rows handed over since the last call and mark the confirmed ones
        sent; returns how many. A row the broker did not confirm stays unsent in the table,
        for the next claim."""
        messages, self._handed = self._handed, []
        if not messages or not self._publisher.ready:
            # Left in the table: the claim after the (re)connection sends them.
            return 0
        outcomes = await self._publish(messages)
        sent = [m.event_id for m, out in zip(messages, outcomes, strict=True) if out is None]
        if sent:
            async with self._autocommit.connect() as connection:
                now = self._clock.now()
                # One statement whatever the count (executemany sends it once, in one round
                # trip); an IN list would be a new statement to prepare for every length.
                await connection.execute(
                    self._mark_sent, [{"id": uuid.UUID(event_id), "now": now} for event_id in sent]
                )
        return len(sent)

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
            if self._handed:
                # Committed in this process but claimed before the relay sent it from
                # memory: this claim sends it, the hand-over must not send it again.
                taken = {str(row.event_id) for row in rows}
                self._handed = [m for m in self._handed if m.event_id not in taken]
            outcomes = await self._publish([outgoing_message(row) for row in rows])
            for row, outcome in zip(rows, outcomes, strict=True):
                if outcome is not None:
                    await session.execute(
                        update(table)
                        .where(table.c.position == row.position)
                        .values(
                            sent_at=None,
                            attempts=table.c.attempts + 1,
                            last_error=repr(outcome)[:2000],
                        )
                    )
        return sum(outcome is None for outcome in outcomes)

    async def _publish(self, messages: list[OutgoingMessage]) -> list[BaseException | None]:
        """Publish every message at once; each one's failure, or None once confirmed."""
        outcomes = await asyncio.gather(
            *(self._publisher.publish(message) for message in messages),
            return_exceptions=True,
        )
        for message, outcome in zip(messages, outcomes, strict=True):
            counter = MESSAGES_PUBLISH_FAILED if outcome is not None else MESSAGES_PUBLISHED
            counter.labels(self._service, message.event_type).inc()
        failed = sum(outcome is not None for outcome in outcomes)
        if failed:
            log.warning("outbox.publish_failed", failed=failed, sent=len(messages) - failed)
        return outcomes

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
        """Relay until cancelled: what is handed over as it comes; claims on every wake-up
        and every poll, batch after batch."""
        listener = asyncio.create_task(self._listen_for_commits())
        loop = asyncio.get_running_loop()
        next_sample = 0.0
        next_purge = loop.time() + 60.0
        next_claim = 0.0
        self._running = True
        try:
            while True:
                self._wake.clear()
                try:
                    # Claims also while handed-over rows keep the relay awake, so rows from
                    # elsewhere (or left unsent) never wait for a quiet moment.
                    if self._claim_due or loop.time() >= next_claim:
                        self._claim_due = False
                        next_claim = loop.time() + self._poll_interval
                        while await self.relay_once() == self._batch_size:
                            pass
                    await self.relay_handed()
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
                    async with asyncio.timeout(max(0.0, next_claim - loop.time())):
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
