"""Integration-event handlers: event → use case, nothing more."""

from __future__ import annotations

from collections.abc import Sequence

from huiyin_accountability import service
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.service import triggers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.messaging.consumer import Delivery, GroupHandler

RECORD_CONSUMER = "accountability.ledger"


def record_handler(rules: RuleSet, clock: Clock) -> GroupHandler:
    """Every event of every service goes to the ledger as the bytes that arrived; those the
    trigger rules read are then kept as facts, a group at a time (a few statements per
    group, not per event). Each is idempotent: events the ledger already has are skipped,
    and so are facts already kept."""

    async def on_events(deliveries: Sequence[Delivery], uow: AccountabilityUnitOfWork) -> None:
        await service.record_events(uow, [(d.body, d.envelope) for d in deliveries], clock=clock)
        facts = [d.envelope for d in deliveries if d.event is not None]
        if facts:
            await triggers.observe(uow, envelopes=facts, rules=rules, now=clock.now())

    return on_events
