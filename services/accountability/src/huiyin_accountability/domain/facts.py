"""Facts: the other services' events as the trigger rules see them.

A fact is an event's data (JSON object) with the petition and case it concerns pulled out,
so the rules can gather everything known about one petition or case, whatever the order
in which the events arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Fact:
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    petition_id: uuid.UUID | None
    case_id: uuid.UUID | None
    data: Mapping[str, Any]

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        return None if value is None else str(value)

    def moment(self, name: str) -> datetime:
        return datetime.fromisoformat(str(self.data[name]))

    def day(self, name: str) -> date:
        return date.fromisoformat(str(self.data[name]))

    def uuid(self, name: str) -> uuid.UUID | None:
        value = self.data.get(name)
        return None if value is None else uuid.UUID(str(value))


def petition_of(event_type: str, data: Mapping[str, Any]) -> uuid.UUID | None:
    """The petition an event is about, for accountability's purposes.

    A repeat petition is filed under the original: non-handling of the original is what the
    repeat may reveal.
    """
    key = "original_petition_id" if event_type == "petition.repeat_linked" else "petition_id"
    value = data.get(key)
    return None if value is None else uuid.UUID(str(value))


def case_of(data: Mapping[str, Any]) -> uuid.UUID | None:
    value = data.get("case_id")
    return None if value is None else uuid.UUID(str(value))


def of_type(facts: Iterable[Fact], *types: str) -> list[Fact]:
    """The facts of the given types, oldest first (by occurrence, then id for ties)."""
    wanted = set(types)
    return sorted(
        (f for f in facts if f.event_type in wanted), key=lambda f: (f.occurred_at, str(f.event_id))
    )


def handlers_of(facts: Iterable[Fact], case_id: uuid.UUID) -> list[str]:
    """Staff who acknowledged the case as its handler (from case.accepted_by_unit)."""
    found = [
        f.text("handler_id")
        for f in of_type(facts, "case.accepted_by_unit")
        if f.case_id == case_id
    ]
    return sorted({h for h in found if h})
