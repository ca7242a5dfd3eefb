"""The ledger's consumer: every message on the exchange, recorded as the bytes that arrived.

The kit's consumer reads an event against its contract before handing it over, which is
right for a service acting on events but wrong for the record: an event of a type this
service does not know (a newer producer) would be dead-lettered instead of recorded, and
the handler would see a re-serialised envelope. This consumer only requires a well-formed
envelope (that is its poison rule) and gives the handler the body exactly as received.
Everything else — queue, dead-lettering, inbox, grouping, retries — is the kit's.

Appends are serial (each takes the ledger head's lock through its commit), so the group the
kit applies together is appended in one transaction: the head is locked first, then the
group's inbox rows and entries. One group at a time: a second would only wait on the lock
while holding a connection, and the messages arriving meanwhile make the next group larger.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import ValidationError

from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.consumer import ALL_EVENTS, Delivery, EventConsumer, PoisonMessageError

RawHandler = Callable[[Sequence[tuple[str, Envelope]], AccountabilityUnitOfWork], Awaitable[None]]
"""``handler([(body_text, envelope), ...], uow)``: record the bodies in order; never commit."""


class RawEventConsumer(EventConsumer):
    """An :class:`EventConsumer` bound to ``"#"`` whose handler receives the raw bodies."""

    def __init__(self, broker: Broker, *, raw_handler: RawHandler, **options: Any) -> None:
        super().__init__(
            broker,
            handlers={ALL_EVENTS: _contract_handler_unused},
            **(options | {"concurrency": 1}),
        )
        self.raw_handler = raw_handler

    def read(self, body: bytes) -> tuple[Envelope, str, EventData | None]:
        try:
            text = body.decode("utf-8")
            return Envelope.model_validate_json(text), text, None
        except (UnicodeDecodeError, ValidationError) as exc:
            raise PoisonMessageError(str(exc)[:500]) from exc

    async def apply_together(self, group: Sequence[Delivery], uow: Any) -> list[bool]:
        assert isinstance(uow, AccountabilityUnitOfWork)
        # The head first: a transaction never waits on another's inbox row while holding
        # the head, so two replicas given the same message cannot deadlock.
        await uow.ledger.lock_head()
        new = await self.record_in_inbox(group, uow)
        await self.raw_handler(
            [(d.body, d.envelope) for d, first in zip(group, new, strict=True) if first], uow
        )
        return new


async def _contract_handler_unused(_event: Any, _envelope: Envelope, _uow: Any) -> None:
    """Binds the queue to ``"#"``; messages never reach it (see ``read``)."""
    raise AssertionError("the raw consumer hands messages to its raw handler")
