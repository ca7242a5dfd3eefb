"""The ledger's consumer: every message on the exchange, recorded as the bytes that arrived.

The kit's consumer reads an event against its contract before handing it over, which is
right for a service acting on events but wrong for the record: an event of a type this
service does not know (a newer producer) would be dead-lettered instead of recorded, and
the handler would see a re-serialised envelope. This consumer only requires a well-formed
envelope (that is its poison rule) and gives the handler the body exactly as received.
Everything else — queue, dead-lettering, inbox, grouping, retries — is the kit's.

Appends are serial (each takes the ledger head's lock through its commit), so the group the
kit applies together is appended in one transaction. One group at a time: a second would
only wait on the lock while holding a connection, and the messages arriving meanwhile make
the next group larger.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.consumer import (
    ALL_EVENTS,
    Delivery,
    GroupConsumer,
    GroupHandler,
    PoisonMessageError,
)


class RawEventConsumer(GroupConsumer):
    """A :class:`GroupConsumer` bound to ``"#"`` that accepts any well-formed envelope."""

    def __init__(self, broker: Broker, *, ledger_handler: GroupHandler, **options: Any) -> None:
        super().__init__(
            broker,
            event_types=[ALL_EVENTS],
            group_handler=ledger_handler,
            **(options | {"concurrency": 1}),
        )

    def read(self, body: bytes) -> tuple[Envelope, str, EventData | None]:
        try:
            text = body.decode("utf-8")
            return Envelope.model_validate_json(text), text, None
        except (UnicodeDecodeError, ValidationError) as exc:
            raise PoisonMessageError(str(exc)[:500]) from exc

    async def apply_together(self, group: Sequence[Delivery], uow: Any) -> list[bool]:
        # The ledger before the inbox: the append takes the head's lock first, so a
        # transaction never waits on the head while holding inbox rows another one waits
        # for, and two replicas given the same message cannot deadlock. The append skips
        # the events the ledger already has; the inbox then tells which were new.
        await self.group_handler(group, uow)
        return await self.record_in_inbox(group, uow)
