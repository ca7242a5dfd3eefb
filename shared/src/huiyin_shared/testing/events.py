"""Small factories for petition events, and publishing one through a platform's outbox.

Each factory fills realistic defaults; a test names only the fields it cares about.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.common import Channel, PetitionFacts, PetitionKind
from huiyin_shared.contracts.events.petition import PetitionAccepted, PetitionRegistered
from huiyin_shared.platform import Platform

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
"""09:30 on 2 March 2026 in Shanghai, a working Monday."""

_PETITION: dict[str, Any] = {
    "registration_number": "XF-370102-2026-000001",
    "office_id": "office-370102",
    "channel": Channel.LETTER,
    "kind": PetitionKind.HELP_REQUEST,
    "subject_category": "labour.wages",
    "division_code": "370102",
    "received_at": AT,
    "anonymous": False,
    "collective": False,
    "urgent": False,
    "summary": "拖欠工资三个月",
}


def petition_facts(**changes: Any) -> PetitionFacts:
    return PetitionFacts(**{**_PETITION, "accepted_at": AT, **changes})


def petition_registered(petition_id: uuid.UUID | None = None, **changes: Any) -> PetitionRegistered:
    values = {
        **_PETITION,
        "petition_id": petition_id or uuid.uuid4(),
        "registered_at": changes.get("received_at", AT),
        "registered_by": "clerk-1",
        "petitioner_ref": "pr_0123456789abcdef",
        "people_count": 1,
    }
    return PetitionRegistered(**{**values, **changes})


def petition_accepted(
    petition_id: uuid.UUID | None = None,
    *,
    acceptance_notice_due: date = date(2026, 3, 17),
    **fact_changes: Any,
) -> PetitionAccepted:
    return PetitionAccepted(
        petition_id=petition_id or uuid.uuid4(),
        accepted_by="clerk-1",
        acceptance_notice_due=acceptance_notice_due,
        petition=petition_facts(**fact_changes),
    )


async def publish(platform: Platform, event: EventData, *, subject: str) -> Envelope:
    """Commit one event to the platform's outbox, as a service's use case would."""
    async with platform.unit_of_work() as uow:
        envelope = await uow.publish(event, subject=subject)
        await uow.commit()
    return envelope
