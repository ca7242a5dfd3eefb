"""The consumer runner: messages → inbox + handlers in one transaction → acks.

- A message that cannot be read (bad JSON, unknown type, data failing its contract) is
  poison: it is rejected at once and dead-lettered, never retried.
- Messages waiting together are applied together: one transaction records each one's inbox
  row and runs its handler, in delivery order, and every message is acknowledged only after
  that commit. Under load this is a group commit (one BEGIN/COMMIT and one connection for
  many messages); a lone message is applied at once, alone, without waiting for company.
- If a group fails, it is rolled back and its messages are applied one by one, so one bad
  message cannot take the others to the dead-letter queue with it. A message that fails
  alone is returned to the queue after a short back-off; the quorum queue counts
  deliveries and dead-letters it past the limit.
- A database that cannot be reached is no fault of the messages: their group is held and
  tried again (for up to ``database_patience_seconds``) rather than returned, so an outage
  of the database does not use up the delivery limit of every message in flight.
- At most ``concurrency`` groups are applied at once; each holds a pooled connection.
  ``group_wait_seconds`` lets a message wait that long for others to join its group.
- The ack is sent only after the commit. If the ack is lost, the redelivery finds the event
  id in the inbox and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage, AbstractQueue
from pydantic import ValidationError
from sqlalchemy import Table

from huiyin_shared.clock import Clock
from huiyin_shared.contracts.catalogue import EventData, UnknownEventError, read_event
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.engine import database_unreachable
from huiyin_shared.db.uow import UnitOfWork
from huiyin_shared.logging import describe_error
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.inbox import record_once
from huiyin_shared.messaging.topology import declare_consumer_queue, declare_events_exchange
from huiyin_shared.metrics import (
    DEAD_LETTER_QUEUE_DEPTH,
    HANDLER_DURATION,
    MESSAGES_CONSUMED,
    MESSAGES_DEAD_LETTERED,
    MESSAGES_FAILED,
)

log = structlog.get_logger(__name__)

Handler = Callable[[Any, Envelope, Any], Awaitable[None]]
"""``handler(event, envelope, uow)``: apply the event's effects; never commit.

The event and unit of work are typed by each handler (its contract model and its service's
unit of work); the runner guarantees the event matches the handler's registered type.
"""


ALL_EVENTS = "#"
RETRY_PAUSE_MAX_SECONDS = 5.0
DATABASE_PATIENCE_SECONDS = 300.0
"""How long a message is held while the database cannot be reached before it is given back:
well within RabbitMQ's consumer timeout (30 min by default), past which the broker would
close the channel of a consumer holding an unacknowledged message."""


class PoisonMessageError(Exception):
    """The message can never be processed: dead-letter it at once."""


@dataclass
class Delivery:
    """A message read and waiting to be applied; ``done`` resolves after its commit."""

    envelope: Envelope
    body: str
    event: EventData | None
    done: asyncio.Future[None] = field(repr=False)


GroupHandler = Callable[[Sequence[Delivery], Any], Awaitable[None]]
"""``handler(deliveries, uow)``: apply a group's new messages, in delivery order (each has
its envelope, its event and its body as received); never commit."""


class EventConsumer:
    """Consumes one queue; ``handlers`` maps event types (or ``"#"`` for all) to handlers."""

    def __init__(
        self,
        broker: Broker,
        *,
        name: str,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork],
        inbox: Table,
        clock: Clock,
        exchange: str,
        queue_prefix: str,
        prefetch: int,
        delivery_limit: int,
        concurrency: int = 4,
        group_size: int = 32,
        group_wait_seconds: float = 0.0,
        retry_backoff_seconds: float = 0.2,
        database_patience_seconds: float = DATABASE_PATIENCE_SECONDS,
    ) -> None:
        if not handlers:
            raise ValueError("a consumer needs at least one handler")
        self.name = name
        self.queue_name = f"{queue_prefix}.{name}"
        self._handlers = dict(handlers)
        self._uow_factory = uow_factory
        self._inbox = inbox
        self._clock = clock
        self._exchange = exchange
        self._prefetch = prefetch
        self._delivery_limit = delivery_limit
        self._concurrency = concurrency
        self._group_size = group_size
        self._group_wait = group_wait_seconds
        self._backoff = retry_backoff_seconds
        self._database_patience = database_patience_seconds
        self._waiting: list[Delivery] = []
        # Appliers run as tasks of their own: a closing channel cancels the message
        # callbacks, never a transaction half-way (its ack then fails; the redelivery
        # is a duplicate the inbox absorbs).
        self._appliers: set[asyncio.Task[None]] = set()
        # Keep references: aio-pika holds queues weakly (aio-pika #231).
        self._queue: AbstractQueue | None = None
        self._dlq: AbstractQueue | None = None
        broker.on_connect(self._on_connect)

    @property
    def event_types(self) -> frozenset[str]:
        """The event types this consumer's queue is bound to (``"#"`` for all)."""
        return frozenset(self._handlers)

    async def _on_connect(self, connection: AbstractConnection) -> None:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self._prefetch)
        events = await declare_events_exchange(channel, self._exchange)
        bindings = [ALL_EVENTS] if ALL_EVENTS in self._handlers else sorted(self._handlers)
        self._queue, self._dlq = await declare_consumer_queue(
            channel,
            events=events,
            queue=self.queue_name,
            bindings=bindings,
            delivery_limit=self._delivery_limit,
        )
        await self._queue.consume(self._on_message)

    async def sample_dead_letters(self) -> int | None:
        """Depth of this consumer's DLQ (also exported as a gauge); None when disconnected."""
        if self._dlq is None or self._dlq.channel.is_closed:
            return None
        declared = await self._dlq.channel.declare_queue(self._dlq.name, passive=True)
        depth = declared.declaration_result.message_count or 0
        DEAD_LETTER_QUEUE_DEPTH.labels(self.queue_name).set(depth)
        return depth

    def read(self, body: bytes) -> tuple[Envelope, str, EventData | None]:
        """The envelope, the body as text and the event; raises :class:`PoisonMessageError`.

        A consumer recording events rather than acting on them may override this to accept
        any well-formed envelope (the event is then None).
        """
        try:
            envelope = Envelope.model_validate_json(body)
            event = read_event(envelope)
            if envelope.type not in self._handlers and ALL_EVENTS not in self._handlers:
                raise KeyError(envelope.type)
        except (ValidationError, UnknownEventError, KeyError) as exc:
            raise PoisonMessageError(str(exc)[:500]) from exc
        return envelope, body.decode("utf-8"), event

    async def record_in_inbox(self, group: Sequence[Delivery], uow: Any) -> list[bool]:
        """The group's inbox rows, in one statement; which deliveries are new. A second copy
        of an event within the group is a duplicate, like one seen before."""
        fresh = await record_once(
            uow.session,
            self._inbox,
            [d.envelope for d in group],
            consumer=self.name,
            received_at=self._clock.now(),
        )
        new: list[bool] = []
        for delivery in group:
            new.append(delivery.envelope.id in fresh)
            fresh.discard(delivery.envelope.id)
        return new

    async def apply_together(self, group: Sequence[Delivery], uow: Any) -> list[bool]:
        """Apply a group in the caller's transaction; which deliveries were new.

        The default: the group's inbox rows, then each new message's handler in delivery
        order. A subclass may record a group differently (the ledger appends it under one
        lock).
        """
        new = await self.record_in_inbox(group, uow)
        for delivery, first in zip(group, new, strict=True):
            if not first:
                continue
            envelope = delivery.envelope
            handler = self._handlers.get(envelope.type) or self._handlers[ALL_EVENTS]
            with structlog.contextvars.bound_contextvars(
                correlation_id=envelope.correlation_id,
                causation_id=str(envelope.id),
                event_id=str(envelope.id),
                event_type=envelope.type,
            ):
                await handler(delivery.event, envelope, uow)
        return new

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        started = time.perf_counter()
        queue = self.queue_name
        try:
            envelope, body, event = self.read(message.body)
        except PoisonMessageError as exc:
            log.error("consumer.poison_message", queue=queue, error=describe_error(exc))
            MESSAGES_DEAD_LETTERED.labels(queue, "poison").inc()
            try:
                await message.reject(requeue=False)
            except Exception as reject_exc:
                log.warning("consumer.reject_lost", queue=queue, error=describe_error(reject_exc))
            return
        delivery = Delivery(envelope, body, event, asyncio.get_running_loop().create_future())
        self._waiting.append(delivery)
        if len(self._appliers) < self._concurrency:
            task = asyncio.create_task(self._apply_waiting())
            self._appliers.add(task)
            task.add_done_callback(self._appliers.discard)
        with structlog.contextvars.bound_contextvars(
            correlation_id=envelope.correlation_id,
            event_id=str(envelope.id),
            event_type=envelope.type,
        ):
            try:
                await asyncio.shield(delivery.done)
            except Exception:
                await self._give_back(message, queue)
                return
            HANDLER_DURATION.labels(queue).observe(time.perf_counter() - started)
            try:
                await message.ack()
            except Exception as exc:
                # Committed but not acknowledged: the broker redelivers it and the inbox
                # recognises it as a duplicate.
                log.warning("consumer.ack_lost", queue=queue, error=describe_error(exc))

    async def _apply_waiting(self) -> None:
        if self._group_wait:
            await asyncio.sleep(self._group_wait)
        while self._waiting:
            group = self._waiting[: self._group_size]
            del self._waiting[: self._group_size]
            await self._apply_group(group)

    async def _apply_group(self, group: list[Delivery]) -> None:
        try:
            await self._commit_patiently(group)
            return
        except Exception as exc:
            if len(group) == 1:
                _settle(group[0], exc)
                return
            log.warning("consumer.group_failed", queue=self.queue_name, size=len(group))
        for delivery in group:
            try:
                await self._commit_patiently([delivery])
            except Exception as exc:
                _settle(delivery, exc)

    async def _commit_patiently(self, group: list[Delivery]) -> None:
        """Commit the group; while the database cannot be reached, hold it and try again.

        Returned to the queue instead, every attempt would count against the delivery limit
        and a database down for a few seconds would dead-letter every message in flight.
        """
        held_since = time.monotonic()
        pause = self._backoff
        while True:
            try:
                await self._commit_together(group)
                return
            except Exception as exc:
                held = time.monotonic() - held_since
                if not database_unreachable(exc) or held > self._database_patience:
                    raise
                # Still failures for the metrics: a long outage must raise the alert.
                MESSAGES_FAILED.labels(self.queue_name).inc(len(group))
                log.warning(
                    "consumer.database_unreachable",
                    queue=self.queue_name,
                    held=len(group),
                    error=describe_error(exc),
                    retry_in=pause,
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_PAUSE_MAX_SECONDS)

    async def _commit_together(self, group: list[Delivery]) -> None:
        async with self._uow_factory() as uow:
            fresh = await self.apply_together(group, uow)
            await uow.commit()
        for delivery, new in zip(group, fresh, strict=True):
            MESSAGES_CONSUMED.labels(self.queue_name, "processed" if new else "duplicate").inc()
            _settle(delivery, None)

    async def _give_back(self, message: AbstractIncomingMessage, queue: str) -> None:
        deliveries = _delivery_count(message) + 1
        last = deliveries > self._delivery_limit
        log.exception("consumer.handler_failed", queue=queue, delivery=deliveries, last=last)
        MESSAGES_FAILED.labels(queue).inc()
        if last:
            MESSAGES_DEAD_LETTERED.labels(queue, "delivery_limit").inc()
        # Back off before returning it, so a transient fault does not burn the limit at once.
        await asyncio.sleep(min(self._backoff * 2 ** (deliveries - 1), RETRY_PAUSE_MAX_SECONDS))
        try:
            await message.nack(requeue=True)
        except Exception as exc:
            # The channel is gone; the broker returns the message to the queue by itself.
            log.warning("consumer.nack_lost", queue=queue, error=describe_error(exc))


class GroupConsumer(EventConsumer):
    """Hands each group's new events to one handler at once, in delivery order.

    For work that is the same few statements whatever the event: applied to the group, it
    is those few statements once, each covering every event (one INSERT of many rows, one
    UPDATE for all), instead of once per event.
    """

    def __init__(
        self,
        broker: Broker,
        *,
        event_types: Iterable[str],
        group_handler: GroupHandler,
        **options: Any,
    ) -> None:
        super().__init__(broker, handlers=dict.fromkeys(event_types, _applied_by_group), **options)
        self.group_handler = group_handler

    async def apply_together(self, group: Sequence[Delivery], uow: Any) -> list[bool]:
        new = await self.record_in_inbox(group, uow)
        fresh = [delivery for delivery, first in zip(group, new, strict=True) if first]
        if fresh:
            await self.group_handler(fresh, uow)
        return new


async def _applied_by_group(_event: Any, _envelope: Envelope, _uow: Any) -> None:
    """Binds the queue to the group handler's event types; never called (see above)."""
    raise AssertionError("a group consumer hands its events to its group handler")


def _settle(delivery: Delivery, failure: BaseException | None) -> None:
    if delivery.done.done():
        return
    if failure is not None:
        delivery.done.set_exception(failure)
    else:
        delivery.done.set_result(None)


def _delivery_count(message: AbstractIncomingMessage) -> int:
    """Earlier deliveries of this message, as counted by the quorum queue."""
    value = (message.headers or {}).get("x-delivery-count")
    return value if isinstance(value, int) else 0
