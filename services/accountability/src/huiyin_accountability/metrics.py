"""Accountability's business metrics (agreed with the dashboard's author).

Counters are incremented when the transaction that made the change commits, so a rolled-back
attempt is never counted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

MATTERS_OPENED = Counter(
    "huiyin_accountability_matters_opened_total",
    "Accountability matters opened, by trigger rule id ('manual' for matters entered by staff).",
    ["rule"],
)
LEDGER_ENTRIES = Counter(
    "huiyin_ledger_entries_total",
    "Entries appended to the power-operation record by this process.",
)
LEDGER_CHAIN_INTACT = Gauge(
    "huiyin_ledger_chain_intact",
    "1 when the last full verification found the hash chain intact, 0 when it found a break.",
)
FACTS_REFUSED = Counter(
    "huiyin_trigger_facts_refused_total",
    "Deliveries of an event the trigger rules read that failed its contract, by event type: "
    "recorded in the ledger, not seen by the rules.",
    ["event_type"],
)
STEPS_OVERDUE = Counter(
    "huiyin_accountability_steps_overdue_total",
    "Steps of the accountability procedure found past their time limit, by step.",
    ["step"],
)


def on_commit(session: AsyncSession, action: Callable[[], Any]) -> None:
    """Run ``action`` once, after ``session``'s transaction commits (never on rollback)."""

    def fire(_session: Any) -> None:
        action()

    event.listen(session.sync_session, "after_commit", fire, once=True)
