"""The tracking projection: public milestones and which case belongs to which petition."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_intake.db import case_links, timeline_entries
from huiyin_intake.domain.tracking import Milestone, MilestoneKind
from huiyin_shared.db.writes import defer_insert


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, milestone: Milestone) -> None:
        """Add a milestone this transaction is the only one to make (a decision on the
        petition it holds locked), with the transaction's other pending writes."""
        defer_insert(self._session, timeline_entries, _row(milestone))

    def record(self, milestone: Milestone) -> None:
        """Add a milestone once, with the transaction's other pending writes; a second one
        with the same key changes nothing."""
        defer_insert(self._session, timeline_entries, _row(milestone), skip_conflicts=True)

    def link_case(self, *, case_id: uuid.UUID, petition_id: uuid.UUID) -> None:
        """Remember which petition a case belongs to, once."""
        defer_insert(
            self._session,
            case_links,
            {"case_id": case_id, "petition_id": petition_id},
            skip_conflicts=True,
        )

    async def of_petition(self, *, petition_id: uuid.UUID) -> list[Milestone]:
        """The petition's milestones, including those of its cases whose events arrived
        before the event naming the petition."""
        table = timeline_entries
        cases = select(case_links.c.case_id).where(case_links.c.petition_id == petition_id)
        rows = await self._session.execute(
            select(table).where(or_(table.c.petition_id == petition_id, table.c.case_id.in_(cases)))
        )
        return [
            Milestone(
                key=r.entry_key,
                kind=MilestoneKind(r.kind),
                occurred_at=r.occurred_at,
                petition_id=r.petition_id,
                case_id=r.case_id,
                details=r.details,
            )
            for r in rows
        ]


def _row(milestone: Milestone) -> dict[str, Any]:
    return {
        "entry_key": milestone.key,
        "petition_id": milestone.petition_id,
        "case_id": milestone.case_id,
        "kind": milestone.kind.value,
        "occurred_at": milestone.occurred_at,
        "details": dict(milestone.details),
    }
