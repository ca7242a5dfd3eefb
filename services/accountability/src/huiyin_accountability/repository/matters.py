"""Accountability matters."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_accountability.db import matters
from huiyin_accountability.domain.matters import Matter, MatterStatus
from huiyin_shared.contracts.events.accountability import MatterSource


class MatterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, matter: Matter) -> None:
        await self._session.execute(insert(matters).values(**_row(matter)))

    async def get(self, matter_id: uuid.UUID, *, for_update: bool = False) -> Matter | None:
        query = select(matters).where(matters.c.matter_id == matter_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _matter(row._mapping)

    async def save_decision(self, matter: Matter) -> None:
        await self._session.execute(
            update(matters)
            .where(matters.c.matter_id == matter.matter_id)
            .values(
                status=matter.status.value,
                decided_by=matter.decided_by,
                decided_at=matter.decided_at,
                dismissal_reason=matter.dismissal_reason,
            )
        )

    async def list(
        self, *, status: MatterStatus | None, rule_id: str | None, limit: int, offset: int
    ) -> list[Matter]:
        query = select(matters).order_by(matters.c.opened_at.desc(), matters.c.matter_id)
        if status is not None:
            query = query.where(matters.c.status == status.value)
        if rule_id is not None:
            query = query.where(matters.c.rule_id == rule_id)
        rows = await self._session.execute(query.limit(limit).offset(offset))
        return [_matter(row._mapping) for row in rows]


def _row(matter: Matter) -> dict[str, Any]:
    return {
        "matter_id": matter.matter_id,
        "source": matter.source.value,
        "rule_id": matter.rule_id,
        "subject_key": matter.subject_key,
        "rule_source": matter.rule_source,
        "title": matter.title,
        "summary": matter.summary,
        "petition_id": matter.petition_id,
        "case_id": matter.case_id,
        "subject_unit_ids": list(matter.subject_unit_ids),
        "subject_staff_ids": list(matter.subject_staff_ids),
        "evidence_event_ids": [str(e) for e in matter.evidence_event_ids],
        "status": matter.status.value,
        "opened_at": matter.opened_at,
        "opened_by": matter.opened_by,
        "decided_by": matter.decided_by,
        "decided_at": matter.decided_at,
        "dismissal_reason": matter.dismissal_reason,
    }


def _matter(row: Any) -> Matter:
    return Matter(
        matter_id=row["matter_id"],
        source=MatterSource(row["source"]),
        title=row["title"],
        summary=row["summary"],
        subject_unit_ids=tuple(row["subject_unit_ids"]),
        subject_staff_ids=tuple(row["subject_staff_ids"]),
        evidence_event_ids=tuple(uuid.UUID(e) for e in row["evidence_event_ids"]),
        opened_at=row["opened_at"],
        status=MatterStatus(row["status"]),
        rule_id=row["rule_id"],
        subject_key=row["subject_key"],
        rule_source=row["rule_source"],
        petition_id=row["petition_id"],
        case_id=row["case_id"],
        opened_by=row["opened_by"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        dismissal_reason=row["dismissal_reason"],
    )
