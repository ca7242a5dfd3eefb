"""Integration-event handlers: event → use case, nothing more."""

from __future__ import annotations

from collections.abc import Sequence

from huiyin_accountability import service
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.service import triggers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.messaging.consumer import Delivery, GroupHandler

LEDGER_CONSUMER = "accountability.ledger"
TRIGGER_CONSUMER = "accountability.triggers"


def ledger_handler(clock: Clock) -> GroupHandler:
    """The ledger records every event of every service, as the bytes that arrived (each
    once: events it already has are skipped)."""

    async def on_events(deliveries: Sequence[Delivery], uow: AccountabilityUnitOfWork) -> None:
        await service.record_events(uow, [(d.body, d.envelope) for d in deliveries], clock=clock)

    return on_events


def trigger_handler(rules: RuleSet, clock: Clock) -> GroupHandler:
    """The trigger consumer keeps the facts its rules and the assessment read, a group of
    events at a time (a few statements per group, not per event)."""

    async def on_facts(deliveries: Sequence[Delivery], uow: AccountabilityUnitOfWork) -> None:
        await triggers.observe(
            uow, envelopes=[d.envelope for d in deliveries], rules=rules, now=clock.now()
        )

    return on_facts
