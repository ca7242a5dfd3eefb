"""The ledger's consumer: every message on the exchange, recorded as the bytes that arrived.

The kit's consumer reads an event against its contract before handing it over, which is
right for a service acting on events but wrong for the record: an event of a type this
service does not know (a newer producer) would be dead-lettered instead of recorded, and
the handler would see a re-serialised envelope. This consumer only requires a well-formed
envelope (that is its poison rule) and gives the handler the body exactly as received.
Everything else — queue, dead-lettering, inbox, retries — is the kit's.

Appends are serial (each takes the ledger head's lock through its commit), so one durable
commit per message would cap the record at the disk's commit rate. Messages in flight
together (up to the prefetch) are therefore appended in one transaction: the head is locked
first, then each message's inbox row and entry; every message is acknowledged only after
that commit. If a batch fails, its messages are retried one by one, so one bad message
cannot take the others to the dead-letter queue with it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_accountability.repository._upsert import insert_for
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.consumer import ALL_EVENTS, EventConsumer
from huiyin_shared.metrics import HANDLER_DURATION, MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED

log = structlog.get_logger(__name__)

RawHandler = Callable[[Sequence[tuple[str, Envelope]], AccountabilityUnitOfWork], Awaitable[None]]
"""``handler([(body_text, envelope), ...], uow)``: record the bodies in order; never commit."""


@dataclass
class _Pending:
    body: str
    envelope: Envelope
    done: asyncio.Future[None]


class RawEventConsumer(EventConsumer):
    """An :class:`EventConsumer` bound to ``"#"`` whose handler receives the raw body."""

    def __init__(
        self,
        broker: Broker,
        *,
        raw_handler: RawHandler,
        batch_size: int = 32,
        batch_wait_seconds: float = 0.005,
        **options: Any,
    ) -> None:
        super().__init__(broker, handlers={ALL_EVENTS: _contract_handler_unused}, **options)
        self.raw_handler = raw_handler
        self._batch_size = batch_size
        self._batch_wait = batch_wait_seconds
        self._pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        started = time.perf_counter()
        queue = self.queue_name
        try:
            body = message.body.decode("utf-8")
            envelope = Envelope.model_validate_json(body)
        except (UnicodeDecodeError, ValidationError) as exc:
            log.error("ledger.poison_message", queue=queue, error=str(exc)[:500])
            MESSAGES_DEAD_LETTERED.labels(queue, "poison").inc()
            try:
                await message.reject(requeue=False)
            except Exception as reject_exc:
                log.warning("consumer.reject_lost", queue=queue, error=str(reject_exc))
            return
        with structlog.contextvars.bound_contextvars(
            correlation_id=envelope.correlation_id,
            event_id=str(envelope.id),
            event_type=envelope.type,
        ):
            try:
                await asyncio.shield(self._record(body, envelope))
            except Exception:
                await self._give_back(message, queue)
                return
            HANDLER_DURATION.labels(queue).observe(time.perf_counter() - started)
            try:
                await message.ack()
            except Exception as exc:
                log.warning("consumer.ack_lost", queue=queue, error=str(exc))

    async def _record(self, body: str, envelope: Envelope) -> None:
        """Join the current batch; return once it is committed (raise if this one failed)."""
        loop = asyncio.get_running_loop()
        pending = _Pending(body, envelope, loop.create_future())
        self._pending.append(pending)
        if len(self._pending) >= self._batch_size:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._batch_wait, self._flush)
        await pending.done

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.create_task(self._append(batch))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def _append(self, batch: list[_Pending]) -> None:
        try:
            await self._append_together(batch)
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].done.set_exception(exc)
                return
            log.warning("ledger.batch_failed", size=len(batch), error=str(exc)[:300])
        for pending in batch:
            try:
                await self._append_together([pending])
            except Exception as exc:
                pending.done.set_exception(exc)

    async def _append_together(self, batch: list[_Pending]) -> None:
        async with self._uow_factory() as uow:
            assert isinstance(uow, AccountabilityUnitOfWork)
            # The head first: a transaction never waits on another's inbox row while
            # holding the head, so two replicas given the same message cannot deadlock.
            await uow.ledger.lock_head()
            fresh = await record_many_once(
                uow.session,
                self._inbox,
                [p.envelope for p in batch],
                consumer=self.name,
                received_at=self._clock.now(),
            )
            items = [(p.body, p.envelope) for p in batch if p.envelope.id in fresh]
            fresh_items = list({e.id: (b, e) for b, e in items}.values())
            await self.raw_handler(fresh_items, uow)
            await uow.commit()
        for pending in batch:
            outcome = "processed" if pending.envelope.id in fresh else "duplicate"
            MESSAGES_CONSUMED.labels(self.queue_name, outcome).inc()
            fresh.discard(pending.envelope.id)  # a second copy in the batch is a duplicate
            if not pending.done.done():
                pending.done.set_result(None)


async def record_many_once(
    session: AsyncSession,
    inbox: Table,
    envelopes: Sequence[Envelope],
    *,
    consumer: str,
    received_at: datetime,
) -> set[uuid.UUID]:
    """The kit's inbox for several messages in one statement: the ids not seen before
    (the primary key decides, as in :func:`huiyin_shared.messaging.inbox.record_once`)."""
    rows = {
        e.id: {
            "event_id": e.id,
            "consumer": consumer,
            "event_type": e.type,
            "received_at": received_at,
        }
        for e in envelopes
    }
    stmt = (
        insert_for(session, inbox)
        .values(list(rows.values()))
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return {row.event_id for row in await session.execute(stmt)}


async def _contract_handler_unused(_event: Any, _envelope: Envelope, _uow: Any) -> None:
    """Binds the queue to ``"#"``; messages never reach it (see ``_on_message``)."""
    raise AssertionError("the raw consumer hands messages to its raw handler")
