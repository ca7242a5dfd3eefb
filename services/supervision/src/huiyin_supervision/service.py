"""Supervision's use cases. They take a unit of work and never commit."""

from __future__ import annotations

import uuid
from datetime import datetime

from huiyin_supervision.domain.clocks import ClockStop, PetitionClock, open_clock
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.domain.policies import ClockKind, policy_for
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork


async def open_acceptance_clock(
    uow: SupervisionUnitOfWork,
    *,
    office: OfficeCalendar,
    now: datetime,
    petition_id: uuid.UUID,
    office_id: str,
    registration_number: str,
    received_at: datetime,
) -> PetitionClock:
    """A registered petition starts its acceptance-notice clock, once.

    If the acceptance decision was recorded first, the clock opens already met.
    """
    clock = open_clock(
        policy_for(ClockKind.ACCEPTANCE_NOTICE),
        office=office,
        petition_id=petition_id,
        office_id=office_id,
        registration_number=registration_number,
        received_at=received_at,
        opened_at=now,
    )
    return await uow.clocks.open(clock)


async def record_acceptance_decision(
    uow: SupervisionUnitOfWork,
    *,
    petition_id: uuid.UUID,
    decided_at: datetime,
    decision_event: str,
) -> None:
    """Accepting or declining the petition meets its acceptance-notice clock.

    Recorded even before the clock is opened, so an out-of-order decision is not lost;
    recording it again changes nothing.
    """
    await uow.clocks.record_stop(
        petition_id=petition_id,
        clock=ClockKind.ACCEPTANCE_NOTICE,
        stop=ClockStop(met_at=decided_at, met_event=decision_event),
    )
