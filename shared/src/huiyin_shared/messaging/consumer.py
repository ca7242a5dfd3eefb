"""The consumer runner: message → inbox + handler in one transaction → ack.

- A message that cannot be read (bad JSON, unknown type, data failing its contract) is
  poison: it is rejected at once and dead-lettered, never retried.
- A handler that raises is rolled back and the message returned to the queue after a short
  back-off; the quorum queue counts deliveries and dead-letters it past the limit.
- The ack is sent only after the commit. If the ack is lost, the redelivery finds the event
  id in the inbox and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage, AbstractQueue
from pydantic import ValidationError
from sqlalchemy import Table

from huiyin_shared.clock import Clock
from huiyin_shared.contracts.catalogue import EventData, UnknownEventError, read_event
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.uow import UnitOfWork
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
        retry_backoff_seconds: float = 0.2,
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
        self._backoff = retry_backoff_seconds
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

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        started = time.perf_counter()
        queue = self.queue_name
        try:
            envelope = Envelope.model_validate_json(message.body)
            event = read_event(envelope)
            handler = self._handlers.get(envelope.type) or self._handlers[ALL_EVENTS]
        except (ValidationError, UnknownEventError, KeyError) as exc:
            log.error("consumer.poison_message", queue=queue, error=str(exc)[:500])
            MESSAGES_DEAD_LETTERED.labels(queue, "poison").inc()
            try:
                await message.reject(requeue=False)
            except Exception as reject_exc:
                log.warning("consumer.reject_lost", queue=queue, error=str(reject_exc))
            return
        with structlog.contextvars.bound_contextvars(
            correlation_id=envelope.correlation_id,
            causation_id=str(envelope.id),
            event_id=str(envelope.id),
            event_type=envelope.type,
        ):
            try:
                # aio-pika cancels in-flight handlers when their channel closes; the shield
                # lets the transaction finish (or roll back) whole instead of being cut
                # mid-commit. The ack below then fails and the redelivery is a duplicate.
                await asyncio.shield(self._apply(event, envelope, handler))
            except Exception:
                await self._give_back(message, queue)
                return
            HANDLER_DURATION.labels(queue).observe(time.perf_counter() - started)
            try:
                await message.ack()
            except Exception as exc:
                # Committed but not acknowledged: the broker redelivers it and the inbox
                # recognises it as a duplicate.
                log.warning("consumer.ack_lost", queue=queue, error=str(exc))

    async def _apply(self, event: EventData, envelope: Envelope, handler: Handler) -> None:
        async with self._uow_factory() as uow:
            fresh = await record_once(
                uow.session,
                self._inbox,
                event_id=envelope.id,
                consumer=self.name,
                event_type=envelope.type,
                received_at=self._clock.now(),
            )
            if fresh:
                await handler(event, envelope, uow)
            await uow.commit()
        MESSAGES_CONSUMED.labels(self.queue_name, "processed" if fresh else "duplicate").inc()

    async def _give_back(self, message: AbstractIncomingMessage, queue: str) -> None:
        deliveries = _delivery_count(message) + 1
        last = deliveries > self._delivery_limit
        log.exception("consumer.handler_failed", queue=queue, delivery=deliveries, last=last)
        MESSAGES_FAILED.labels(queue).inc()
        if last:
            MESSAGES_DEAD_LETTERED.labels(queue, "delivery_limit").inc()
        # Back off before returning it, so a transient fault does not burn the limit at once.
        await asyncio.sleep(min(self._backoff * 2 ** (deliveries - 1), 5.0))
        try:
            await message.nack(requeue=True)
        except Exception as exc:
            # The channel is gone; the broker returns the message to the queue by itself.
            log.warning("consumer.nack_lost", queue=queue, error=str(exc))


def _delivery_count(message: AbstractIncomingMessage) -> int:
    """Earlier deliveries of this message, as counted by the quorum queue."""
    value = (message.headers or {}).get("x-delivery-count")
    return value if isinstance(value, int) else 0
