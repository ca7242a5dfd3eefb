"""Every query on cases, their clocks and timers, history and supervision notices."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_shared.contracts.events.common import ClockName, UnitRef
from huiyin_shared.contracts.events.routing import EscalationContacts
from huiyin_shared.db.dialect import dialect_insert
from huiyin_shared.db.writes import defer_insert
from huiyin_supervision.db import (
    case_clocks,
    case_history,
    cases,
    notice_counters,
    petitions_seen,
    supervision_notices,
)
from huiyin_supervision.domain import explanation as explanation_json
from huiyin_supervision.domain.deadlines import ClockSpec, spec_from_json, spec_to_json
from huiyin_supervision.domain.explanation import Explanation
from huiyin_supervision.domain.lifecycle import CaseStatus


@dataclass(frozen=True, slots=True)
class Case:
    case_id: uuid.UUID
    petition_id: uuid.UUID
    decision_id: uuid.UUID
    office_id: str
    registration_number: str
    unit: UnitRef
    role: str
    mode: str
    deadline_class: str
    kind: str
    subject_category: str
    collective: bool
    anonymous: bool
    status: CaseStatus
    handler_id: str | None
    owner_leader_id: str | None
    escalation_level: str
    escalation: EscalationContacts | None
    review_tier: str | None
    original_case_id: uuid.UUID | None
    result_summary: str | None
    feedback_satisfied: bool | None
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class CaseClock:
    case_id: uuid.UUID
    clock: ClockName
    spec: ClockSpec
    due_date: date
    explanation: Explanation
    provisional: bool
    state: str
    periodic: bool
    paused_on: date | None
    extension_pending_days: int | None
    extension_granted_days: int
    reminders_sent: int
    last_fired_at: datetime | None
    next_fire_at: datetime | None
    overdue_at: datetime | None
    met_at: datetime | None


class ClockState:
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    STOPPED = "stopped"


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- cases -------------------------------------------------------------------------------

    async def add_case(self, values: dict[str, Any]) -> bool:
        """Insert a case; False when this assignment already has one (a redelivery)."""
        stmt = dialect_insert(self._session, cases).on_conflict_do_nothing()
        result = await self._session.execute(stmt, values)
        return bool(getattr(result, "rowcount", 0))

    async def get(self, case_id: uuid.UUID, *, lock: bool = False) -> Case | None:
        query = select(cases).where(cases.c.case_id == case_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _case(row._mapping)

    async def for_petition(self, petition_id: uuid.UUID) -> list[Case]:
        rows = await self._session.execute(
            select(cases).where(cases.c.petition_id == petition_id).order_by(cases.c.opened_at)
        )
        return [_case(row._mapping) for row in rows]

    async def search(
        self,
        *,
        unit_id: str | None,
        status: CaseStatus | None,
        overdue_only: bool,
        limit: int,
        offset: int,
        petition_id: uuid.UUID | None = None,
    ) -> list[Case]:
        query = select(cases).order_by(cases.c.opened_at, cases.c.case_id)
        if unit_id is not None:
            query = query.where(cases.c.unit_id == unit_id)
        if petition_id is not None:
            query = query.where(cases.c.petition_id == petition_id)
        if status is not None:
            query = query.where(cases.c.status == status.value)
        if overdue_only:
            query = query.where(
                cases.c.case_id.in_(
                    select(case_clocks.c.case_id).where(
                        case_clocks.c.overdue_at.is_not(None),
                        case_clocks.c.state.in_([ClockState.RUNNING, ClockState.PAUSED]),
                    )
                )
            )
        rows = await self._session.execute(query.limit(limit).offset(offset))
        return [_case(row._mapping) for row in rows]

    async def update_case(self, case_id: uuid.UUID, **values: Any) -> None:
        await self._session.execute(update(cases).where(cases.c.case_id == case_id).values(values))

    # -- clocks ------------------------------------------------------------------------------

    def add_clock(
        self,
        *,
        case_id: uuid.UUID,
        spec: ClockSpec,
        explanation: Explanation,
        periodic: bool,
        next_fire_at: datetime | None,
    ) -> None:
        """Open a clock, with the transaction's other pending writes; one already open is
        left as it is."""
        defer_insert(
            self._session,
            case_clocks,
            {
                "case_id": case_id,
                "clock": spec.clock.value,
                "spec": spec_to_json(spec),
                "due_date": explanation.due,
                "explanation": explanation_json.to_json(explanation),
                "provisional": explanation.provisional,
                "state": ClockState.RUNNING,
                "periodic": periodic,
                "next_fire_at": next_fire_at,
            },
            skip_conflicts=True,
        )

    async def clocks(self, case_id: uuid.UUID, *, lock: bool = False) -> list[CaseClock]:
        query = (
            select(case_clocks)
            .where(case_clocks.c.case_id == case_id)
            .order_by(case_clocks.c.clock)
        )
        if lock:
            query = query.with_for_update()
        return [_clock(row._mapping) for row in await self._session.execute(query)]

    async def clock(
        self, case_id: uuid.UUID, clock: ClockName, *, lock: bool = False
    ) -> CaseClock | None:
        query = select(case_clocks).where(
            case_clocks.c.case_id == case_id, case_clocks.c.clock == clock.value
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _clock(row._mapping)

    async def update_clock(self, case_id: uuid.UUID, clock: ClockName, **values: Any) -> None:
        if "spec" in values and isinstance(values["spec"], ClockSpec):
            values["spec"] = spec_to_json(values["spec"])
        if "explanation" in values and isinstance(values["explanation"], Explanation):
            values["explanation"] = explanation_json.to_json(values["explanation"])
        await self._session.execute(
            update(case_clocks)
            .where(case_clocks.c.case_id == case_id, case_clocks.c.clock == clock.value)
            .values(values)
        )

    async def claim_due(self, *, now: datetime, limit: int) -> list[tuple[CaseClock, Case]]:
        """Lock up to ``limit`` clocks whose timer is due, skipping those another replica
        (or a staff action) holds; a skipped one is due again at the next sweep. Each comes
        with its case, read (not locked) in the same round trip.

        The partial index on ``next_fire_at`` makes this cost what is due, not what is open.
        """
        case_columns = [c.label(f"case_{c.name}") for c in cases.c]
        query = (
            select(case_clocks, *case_columns)
            .join(cases, cases.c.case_id == case_clocks.c.case_id)
            .where(case_clocks.c.next_fire_at.is_not(None), case_clocks.c.next_fire_at <= now)
            .order_by(case_clocks.c.next_fire_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=case_clocks)
        )
        claimed = []
        for row in await self._session.execute(query):
            mapping = row._mapping
            case_row = {c.name: mapping[f"case_{c.name}"] for c in cases.c}
            claimed.append((_clock(mapping), _case(case_row)))
        return claimed

    async def try_lock(self, case_id: uuid.UUID) -> Case | None:
        """The case locked for a change, or None if someone else holds it (never waits)."""
        query = select(cases).where(cases.c.case_id == case_id).with_for_update(skip_locked=True)
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _case(row._mapping)

    async def running_clocks_after(
        self,
        case_id: uuid.UUID | None,
        clock: str | None,
        *,
        limit: int,
        provisional_only: bool = False,
    ) -> list[CaseClock]:
        """Running or paused clocks in key order after ``(case_id, clock)``: a keyset page."""
        query = select(case_clocks).where(
            case_clocks.c.state.in_([ClockState.RUNNING, ClockState.PAUSED])
        )
        if provisional_only:
            query = query.where(case_clocks.c.provisional)
        if case_id is not None and clock is not None:
            query = query.where(
                (case_clocks.c.case_id > case_id)
                | ((case_clocks.c.case_id == case_id) & (case_clocks.c.clock > clock))
            )
        query = (
            query.order_by(case_clocks.c.case_id, case_clocks.c.clock)
            .limit(limit)
            .with_for_update(skip_locked=False)
        )
        return [_clock(row._mapping) for row in await self._session.execute(query)]

    # -- history and notices ----------------------------------------------------------------

    def record(
        self, case_id: uuid.UUID, *, at: datetime, actor: str, action: str, detail: dict[str, Any]
    ) -> None:
        """Add to the case's history, with the transaction's other pending writes."""
        defer_insert(
            self._session,
            case_history,
            {"case_id": case_id, "at": at, "actor": actor, "action": action, "detail": detail},
        )

    async def history(self, case_id: uuid.UUID) -> Sequence[Any]:
        rows = await self._session.execute(
            select(case_history)
            .where(case_history.c.case_id == case_id)
            .order_by(case_history.c.entry_id)
        )
        return [row._mapping for row in rows]

    async def next_notice_number(self, office_id: str, year: int) -> int:
        """The next number in the office's yearly series; the row lock serialises issuers."""
        stmt = (
            dialect_insert(self._session, notice_counters)
            .values(office_id=office_id, year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=[notice_counters.c.office_id, notice_counters.c.year],
                set_={"last_number": notice_counters.c.last_number + 1},
            )
            .returning(notice_counters.c.last_number)
        )
        return int((await self._session.execute(stmt)).scalar_one())

    async def add_notice(self, values: dict[str, Any]) -> None:
        await self._session.execute(supervision_notices.insert().values(**values))

    async def notices(self, case_id: uuid.UUID) -> Sequence[Any]:
        rows = await self._session.execute(
            select(supervision_notices)
            .where(supervision_notices.c.case_id == case_id)
            .order_by(supervision_notices.c.issued_at)
        )
        return [row._mapping for row in rows]

    async def answer_notice(self, notice_number: str, *, answer: str, at: datetime) -> int:
        result = await self._session.execute(
            update(supervision_notices)
            .where(
                supervision_notices.c.notice_number == notice_number,
                supervision_notices.c.answered_at.is_(None),
            )
            .values(answer=answer, answered_at=at)
        )
        return int(getattr(result, "rowcount", 0))

    async def notice(self, notice_number: str) -> Any | None:
        row = (
            await self._session.execute(
                select(supervision_notices).where(
                    supervision_notices.c.notice_number == notice_number
                )
            )
        ).one_or_none()
        return None if row is None else row._mapping

    def remember_petition(self, values: dict[str, Any]) -> None:
        """Keep a petition for screening, with the transaction's other pending writes."""
        defer_insert(self._session, petitions_seen, values, skip_conflicts=True)


def _case(row: Any) -> Case:
    escalation = row["escalation"]
    return Case(
        case_id=row["case_id"],
        petition_id=row["petition_id"],
        decision_id=row["decision_id"],
        office_id=row["office_id"],
        registration_number=row["registration_number"],
        unit=UnitRef(
            unit_id=row["unit_id"], unit_name=row["unit_name"], division_code=row["division_code"]
        ),
        role=row["role"],
        mode=row["mode"],
        deadline_class=row["deadline_class"],
        kind=row["kind"],
        subject_category=row["subject_category"],
        collective=row["collective"],
        anonymous=row["anonymous"],
        status=CaseStatus(row["status"]),
        handler_id=row["handler_id"],
        owner_leader_id=row["owner_leader_id"],
        escalation_level=row["escalation_level"],
        escalation=None if escalation is None else EscalationContacts.model_validate(escalation),
        review_tier=row["review_tier"],
        original_case_id=row["original_case_id"],
        result_summary=row["result_summary"],
        feedback_satisfied=row["feedback_satisfied"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
    )


def _clock(row: Any) -> CaseClock:
    return CaseClock(
        case_id=row["case_id"],
        clock=ClockName(row["clock"]),
        spec=spec_from_json(row["spec"]),
        due_date=row["due_date"],
        explanation=explanation_json.from_json(row["explanation"]),
        provisional=row["provisional"],
        state=row["state"],
        periodic=row["periodic"],
        paused_on=row["paused_on"],
        extension_pending_days=row["extension_pending_days"],
        extension_granted_days=row["extension_granted_days"],
        reminders_sent=row["reminders_sent"],
        last_fired_at=row["last_fired_at"],
        next_fire_at=row["next_fire_at"],
        overdue_at=row["overdue_at"],
        met_at=row["met_at"],
    )
