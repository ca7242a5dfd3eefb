"""The ledger's consumer: every message on the exchange, recorded as the bytes that arrived.

The kit's consumer reads an event against its contract before handing it over, which is
right for a service acting on events but wrong for the record: an event of a type this
service does not know (a newer producer) would be dead-lettered instead of recorded, and
the handler would see a re-serialised envelope. This consumer only requires a well-formed
envelope (that is its poison rule) and gives the handler the body exactly as received.
Everything else — queue, dead-lettering, inbox, retries — is the kit's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.consumer import ALL_EVENTS, EventConsumer
from huiyin_shared.messaging.inbox import record_once
from huiyin_shared.metrics import HANDLER_DURATION, MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED

log = structlog.get_logger(__name__)

RawHandler = Callable[[str, Envelope, AccountabilityUnitOfWork], Awaitable[None]]
"""``handler(body_text, envelope, uow)``: record the body; never commit."""


class RawEventConsumer(EventConsumer):
    """An :class:`EventConsumer` bound to ``"#"`` whose handler receives the raw body."""

    def __init__(self, broker: Broker, *, raw_handler: RawHandler, **options: Any) -> None:
        super().__init__(broker, handlers={ALL_EVENTS: _contract_handler_unused}, **options)
        self.raw_handler = raw_handler

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
        async with self._uow_factory() as uow:
            assert isinstance(uow, AccountabilityUnitOfWork)
            fresh = await record_once(
                uow.session,
                self._inbox,
                event_id=envelope.id,
                consumer=self.name,
                event_type=envelope.type,
                received_at=self._clock.now(),
            )
            if fresh:
                await self.raw_handler(body, envelope, uow)
            await uow.commit()
        MESSAGES_CONSUMED.labels(self.queue_name, "processed" if fresh else "duplicate").inc()


async def _contract_handler_unused(_event: Any, _envelope: Envelope, _uow: Any) -> None:
    """Binds the queue to ``"#"``; messages never reach it (see ``_on_message``)."""
    raise AssertionError("the raw consumer hands messages to its raw handler")
