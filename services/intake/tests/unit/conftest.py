"""Small factories for intake's unit tests, as fixtures (tests cannot import each other)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from huiyin_intake.domain.petitioners import new_petitioner_ref
from huiyin_intake.domain.petitions import Petition, Registration
from huiyin_shared.contracts.events.common import Channel, PetitionKind

REGISTERED_AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
"""2026-03-02 10:00 in Shanghai; the default letter arrived 8.5 hours earlier, same local day."""


def _registration(**changes: Any) -> Registration:
    base = Registration(
        office_id="office-370102",
        channel=Channel.LETTER,
        kind=PetitionKind.HELP_REQUEST,
        received_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC),  # 2026-03-02 01:30 in Shanghai
        anonymous=False,
        people_count=1,
        division_code="370102",
        subject_category="labour.wages",
        summary="拖欠工资三个月",
        urgent=False,
        accused_unit_ids=("unit-construction-co",),
        registered_by="clerk-1",
    )
    return replace(base, **changes)


def _petition(**changes: Any) -> Petition:
    details = _registration(**changes)
    return Petition.register(
        details,
        petition_id=uuid.uuid4(),
        registration_number="office-370102-2026-000001",
        registered_at=REGISTERED_AT,
        petitioner_ref=None if details.anonymous else new_petitioner_ref(),
    )


@pytest.fixture
def registered_at() -> datetime:
    return REGISTERED_AT


@pytest.fixture
def make_registration() -> Callable[..., Registration]:
    return _registration


@pytest.fixture
def make_petition() -> Callable[..., Petition]:
    return _petition
