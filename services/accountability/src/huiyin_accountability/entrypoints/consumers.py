"""Integration-event handlers: event → use case, nothing more."""

from __future__ import annotations

from huiyin_accountability import service
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.messaging.consumer import ALL_EVENTS, Handler

LEDGER_CONSUMER = "accountability.ledger"


def ledger_handlers(clock: Clock) -> dict[str, Handler]:
    """The ledger consumer binds to every event type (``"#"``) of every service."""

    async def on_any_event(
        _event: EventData, envelope: Envelope, uow: AccountabilityUnitOfWork
    ) -> None:
        await service.record_event(uow, envelope=envelope, clock=clock)

    return {ALL_EVENTS: on_any_event}
