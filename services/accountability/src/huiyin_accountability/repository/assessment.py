"""Assessment entries, rude-treatment complaints and unit targets."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_accountability.db import assessment_entries, rude_treatment_complaints, unit_targets
from huiyin_accountability.domain.assessment import Item, RudeComplaint, UnitAssessment
from huiyin_shared.db.dialect import dialect_insert


class AssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enter_item(
        self,
        *,
        year: int,
        staff_id: str,
        item: Item,
        met: bool,
        note: str | None,
        by: str,
        at: datetime,
    ) -> None:
        values = {"met": met, "note": note, "entered_by": by, "entered_at": at}
        stmt = dialect_insert(self._session, assessment_entries).values(
            year=year, staff_id=staff_id, item=item.value, **values
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[
                    assessment_entries.c.year,
                    assessment_entries.c.staff_id,
                    assessment_entries.c.item,
                ],
                set_=values,
            )
        )

    async def entries(self, *, year: int) -> dict[str, dict[Item, bool]]:
        rows = await self._session.execute(
            select(assessment_entries).where(assessment_entries.c.year == year)
        )
        found: dict[str, dict[Item, bool]] = {}
        for row in rows:
            found.setdefault(row.staff_id, {})[Item(row.item)] = row.met
        return found

    async def add_complaint(
        self,
        *,
        year: int,
        staff_id: str,
        reported_in_press: bool,
        note: str,
        by: str,
        at: datetime,
    ) -> uuid.UUID:
        complaint_id = uuid.uuid4()
        await self._session.execute(
            dialect_insert(self._session, rude_treatment_complaints).values(
                complaint_id=complaint_id,
                year=year,
                staff_id=staff_id,
                reported_in_press=reported_in_press,
                note=note,
                entered_by=by,
                entered_at=at,
            )
        )
        return complaint_id

    async def complaints(self, *, year: int) -> dict[str, list[RudeComplaint]]:
        rows = await self._session.execute(
            select(rude_treatment_complaints).where(rude_treatment_complaints.c.year == year)
        )
        found: dict[str, list[RudeComplaint]] = {}
        for row in rows:
            found.setdefault(row.staff_id, []).append(RudeComplaint(row.reported_in_press))
        return found

    async def set_unit_target(
        self,
        *,
        year: int,
        unit_id: str,
        target_met: bool,
        note: str | None,
        by: str,
        at: datetime,
    ) -> None:
        values = {"target_met": target_met, "note": note, "entered_by": by, "entered_at": at}
        stmt = dialect_insert(self._session, unit_targets).values(
            year=year, unit_id=unit_id, **values
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[unit_targets.c.year, unit_targets.c.unit_id], set_=values
            )
        )

    async def units(self, *, year: int) -> list[UnitAssessment]:
        rows = await self._session.execute(
            select(unit_targets).where(unit_targets.c.year == year).order_by(unit_targets.c.unit_id)
        )
        return [UnitAssessment(row.unit_id, year, row.target_met) for row in rows]
