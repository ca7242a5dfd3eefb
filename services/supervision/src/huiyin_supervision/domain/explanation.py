"""Due dates that explain themselves: which rule, from which day, which days were skipped.

The same explanation answers the public calculator (without a rule) and is stored with every
clock (with its rule), so a deadline can always be justified to a petitioner or an auditor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from huiyin_shared.calendar import CountingMode, DueDate
from huiyin_supervision.domain.policies import ClockPolicy


@dataclass(frozen=True, slots=True)
class DayOff:
    """A non-working day the count skipped or moved the due date over."""

    day: date
    name: str


@dataclass(frozen=True, slots=True)
class RuleRef:
    """The policy line a clock's due date comes from."""

    clock: str
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """How a due date was computed.

    ``skipped_days`` (working-days mode) are the non-working days between the start and the
    due date that were not counted; ``shifted_over`` (calendar-days mode) are the
    non-working days the due date was moved over, from ``raw_end`` on. One of them is
    always empty. ``provisional_years`` are years without official holiday data.
    """

    start: date
    days: int
    counting_mode: CountingMode
    raw_end: date | None
    due: date
    skipped_days: tuple[DayOff, ...]
    shifted_over: tuple[DayOff, ...]
    provisional_years: tuple[int, ...]
    text: str
    rule: RuleRef | None = None
    start_basis: str | None = None

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def shifted(self) -> bool:
        return bool(self.shifted_over)


def explain(
    result: DueDate, *, policy: ClockPolicy | None = None, start_basis: str | None = None
) -> Explanation:
    """The explanation of a calendar result, optionally tied to a policy line."""
    days_off = tuple(DayOff(item.day, item.name) for item in result.skipped)
    calendar_mode = result.mode is CountingMode.CALENDAR_DAYS
    parts = []
    if policy is not None:
        parts.append(f"{policy.description} ({policy.source}).")
    if start_basis is not None:
        parts.append(start_basis)
    parts.append(result.explain())
    return Explanation(
        start=result.start,
        days=result.days,
        counting_mode=result.mode,
        raw_end=result.raw_end,
        due=result.due,
        skipped_days=() if calendar_mode else days_off,
        shifted_over=days_off if calendar_mode else (),
        provisional_years=result.provisional_years,
        text=" ".join(parts),
        rule=None
        if policy is None
        else RuleRef(
            clock=policy.clock.value, description=policy.description, source=policy.source
        ),
        start_basis=start_basis,
    )


def to_json(explanation: Explanation) -> dict[str, Any]:
    """A JSON-ready dict, for storage."""
    rule = explanation.rule
    return {
        "start": explanation.start.isoformat(),
        "days": explanation.days,
        "counting_mode": explanation.counting_mode.value,
        "raw_end": None if explanation.raw_end is None else explanation.raw_end.isoformat(),
        "due": explanation.due.isoformat(),
        "skipped_days": [_day_off_json(item) for item in explanation.skipped_days],
        "shifted_over": [_day_off_json(item) for item in explanation.shifted_over],
        "provisional_years": list(explanation.provisional_years),
        "text": explanation.text,
        "rule": None
        if rule is None
        else {"clock": rule.clock, "description": rule.description, "source": rule.source},
        "start_basis": explanation.start_basis,
    }


def from_json(data: dict[str, Any]) -> Explanation:
    """The inverse of :func:`to_json`."""
    rule = data.get("rule")
    raw_end = data.get("raw_end")
    return Explanation(
        start=date.fromisoformat(data["start"]),
        days=int(data["days"]),
        counting_mode=CountingMode(data["counting_mode"]),
        raw_end=None if raw_end is None else date.fromisoformat(raw_end),
        due=date.fromisoformat(data["due"]),
        skipped_days=tuple(_day_off(item) for item in data.get("skipped_days", ())),
        shifted_over=tuple(_day_off(item) for item in data.get("shifted_over", ())),
        provisional_years=tuple(int(year) for year in data.get("provisional_years", ())),
        text=str(data["text"]),
        rule=None if rule is None else RuleRef(**rule),
        start_basis=data.get("start_basis"),
    )


def _day_off_json(item: DayOff) -> dict[str, str]:
    return {"date": item.day.isoformat(), "name": item.name}


def _day_off(data: dict[str, str]) -> DayOff:
    return DayOff(date.fromisoformat(data["date"]), data["name"])
