"""The record's consumer: every message on the exchange, recorded as the bytes that arrived,
and the events the trigger rules read kept as facts, in the same transaction.

The kit's consumer reads an event against its contract before handing it over, which is
right for a service acting on events but wrong for the record: an event of a type this
service does not know (a newer producer) would be dead-lettered instead of recorded, and
the handler would see a re-serialised envelope. This consumer only requires a well-formed
envelope (that is its poison rule) and gives the handler the body exactly as received.
Everything else — queue, dead-lettering, inbox, grouping, retries — is the kit's.

One queue serves both the record and the trigger rules: every fact is also an event the
record keeps, so a second queue would deliver, acknowledge and commit each fact twice. A
fact that fails its contract is still recorded (the record keeps what was published); the
rules do not see it, and it is logged and counted, not dead-lettered.

Appends are serial (each takes the ledger head's lock through its commit), so the group the
kit applies together is appended in one transaction. One group at a time: a second would
only wait on the lock while holding a connection, and the messages arriving meanwhile make
the next group larger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from pydantic import ValidationError

from huiyin_accountability.metrics import FACTS_REFUSED
from huiyin_shared.contracts.catalogue import EventData, UnknownEventError, read_event
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.logging import describe_error
from huiyin_shared.messaging.broker import Broker
from huiyin_shared.messaging.consumer import (
    ALL_EVENTS,
    Delivery,
    GroupConsumer,
    GroupHandler,
    PoisonMessageError,
)

log = structlog.get_logger(__name__)


class RawEventConsumer(GroupConsumer):
    """A :class:`GroupConsumer` bound to ``"#"`` that accepts any well-formed envelope.

    A delivery's ``event`` is the event read against its contract when its type is one of
    ``fact_types``, and None otherwise (or when it fails its contract).
    """

    def __init__(
        self,
        broker: Broker,
        *,
        record_handler: GroupHandler,
        fact_types: Iterable[str],
        **options: Any,
    ) -> None:
        super().__init__(
            broker,
            event_types=[ALL_EVENTS],
            group_handler=record_handler,
            **(options | {"concurrency": 1}),
        )
        self._fact_types = frozenset(fact_types)

    def read(self, body: bytes) -> tuple[Envelope, str, EventData | None]:
        try:
            text = body.decode("utf-8")
            envelope = Envelope.model_validate_json(text)
        except (UnicodeDecodeError, ValidationError) as exc:
            raise PoisonMessageError(str(exc)[:500]) from exc
        return envelope, text, self._fact(envelope)

    def _fact(self, envelope: Envelope) -> EventData | None:
        if envelope.type not in self._fact_types:
            return None
        try:
            return read_event(envelope)
        except (ValidationError, UnknownEventError) as exc:
            log.error(
                "triggers.fact_refused",
                event_id=str(envelope.id),
                event_type=envelope.type,
                producer=envelope.producer,
                error=describe_error(exc),
            )
            FACTS_REFUSED.labels(envelope.type).inc()
            return None

    async def apply_together(self, group: Sequence[Delivery], uow: Any) -> list[bool]:
        # The ledger before the inbox: the append takes the head's lock first, so a
        # transaction never waits on the head while holding inbox rows another one waits
        # for, and two replicas given the same message cannot deadlock. The append skips
        # the events the ledger already has, the facts those it already keeps; the inbox
        # then tells which were new.
        await self.group_handler(group, uow)
        return await self.record_in_inbox(group, uow)
