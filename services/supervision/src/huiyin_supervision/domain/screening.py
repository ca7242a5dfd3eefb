"""Screening and early warning (domain §6.5): which matters to flag, from plain facts.

Every 15 days and on demand the office lists repeat petitioners (twice or more within a
month), collective petitions, long-pending cases and hot topics many petitions share. Pure:
the caller gathers the facts and gives every flag its owner and deadline.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from huiyin_shared.contracts.events.case import ScreeningCategory

SCREENING_PERIOD_DAYS = 15
_NAMESPACE = uuid.UUID("0b8f3e0c-5a0d-4a55-8d5e-2f6f0f5c7a11")


@dataclass(frozen=True, slots=True)
class ScreeningRules:
    repeat_window_days: int = 30
    repeat_threshold: int = 2
    collective_people: int = 5
    long_pending_days: int = 90
    hot_topic_threshold: int = 10


@dataclass(frozen=True, slots=True)
class PetitionSeen:
    petition_id: uuid.UUID
    office_id: str
    petitioner_ref: str | None
    subject_category: str
    collective: bool
    people_count: int
    received_at: datetime


@dataclass(frozen=True, slots=True)
class OpenCase:
    case_id: uuid.UUID
    petition_id: uuid.UUID
    office_id: str
    opened_at: datetime
    overdue: bool
    leader_in_charge_id: str | None


@dataclass(frozen=True, slots=True)
class Finding:
    flag_id: uuid.UUID
    category: ScreeningCategory
    office_id: str
    summary: str
    petitioner_ref: str | None = None
    subject_category: str | None = None
    petition_ids: tuple[uuid.UUID, ...] = ()
    case_ids: tuple[uuid.UUID, ...] = ()
    suggested_owner: str | None = None


def _flag_id(run_key: str, category: ScreeningCategory, office_id: str, key: str) -> uuid.UUID:
    """Stable per run and matter, so a repeated run flags nothing twice."""
    return uuid.uuid5(_NAMESPACE, f"{run_key}|{category.value}|{office_id}|{key}")


def screen(
    petitions: Iterable[PetitionSeen],
    cases: Iterable[OpenCase],
    *,
    now: datetime,
    rules: ScreeningRules,
    run_key: str,
) -> list[Finding]:
    """The matters to flag as of ``now``."""
    recent = [
        p for p in petitions if p.received_at > now - timedelta(days=rules.repeat_window_days)
    ]
    period = [p for p in recent if p.received_at > now - timedelta(days=SCREENING_PERIOD_DAYS)]
    findings: list[Finding] = []

    by_petitioner: dict[tuple[str, str], list[PetitionSeen]] = defaultdict(list)
    for p in recent:
        if p.petitioner_ref is not None:
            by_petitioner[(p.office_id, p.petitioner_ref)].append(p)
    for (office_id, ref), items in sorted(by_petitioner.items()):
        if len(items) >= rules.repeat_threshold:
            findings.append(
                Finding(
                    _flag_id(run_key, ScreeningCategory.REPEAT_PETITIONER, office_id, ref),
                    ScreeningCategory.REPEAT_PETITIONER,
                    office_id,
                    f"{len(items)} petitions from one petitioner within "
                    f"{rules.repeat_window_days} days",
                    petitioner_ref=ref,
                    petition_ids=tuple(p.petition_id for p in items),
                )
            )

    for p in period:
        if p.collective or p.people_count >= rules.collective_people:
            findings.append(
                Finding(
                    _flag_id(
                        run_key,
                        ScreeningCategory.COLLECTIVE_PETITION,
                        p.office_id,
                        str(p.petition_id),
                    ),
                    ScreeningCategory.COLLECTIVE_PETITION,
                    p.office_id,
                    f"Collective petition of {p.people_count} people on {p.subject_category}",
                    subject_category=p.subject_category,
                    petition_ids=(p.petition_id,),
                )
            )

    by_topic: dict[tuple[str, str], list[PetitionSeen]] = defaultdict(list)
    for p in period:
        by_topic[(p.office_id, p.subject_category)].append(p)
    for (office_id, topic), items in sorted(by_topic.items()):
        if len(items) >= rules.hot_topic_threshold:
            findings.append(
                Finding(
                    _flag_id(run_key, ScreeningCategory.HOT_TOPIC, office_id, topic),
                    ScreeningCategory.HOT_TOPIC,
                    office_id,
                    f"{len(items)} petitions on {topic} within {SCREENING_PERIOD_DAYS} days",
                    subject_category=topic,
                    petition_ids=tuple(p.petition_id for p in items),
                )
            )

    for case in cases:
        age = (now - case.opened_at).days
        if case.overdue or age >= rules.long_pending_days:
            why = "overdue" if case.overdue else f"open {age} days"
            findings.append(
                Finding(
                    _flag_id(
                        run_key, ScreeningCategory.LONG_PENDING, case.office_id, str(case.case_id)
                    ),
                    ScreeningCategory.LONG_PENDING,
                    case.office_id,
                    f"Long-pending case ({why})",
                    petition_ids=(case.petition_id,),
                    case_ids=(case.case_id,),
                    suggested_owner=case.leader_in_charge_id,
                )
            )
    return findings
