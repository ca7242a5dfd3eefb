"""Accountability cases (their procedure record), deadlines and sanctions in force."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_accountability.db import (
    accountability_cases,
    procedure_deadlines,
    sanction_records,
)
from huiyin_accountability.domain.procedure import CaseRecord, open_deadlines
from huiyin_shared.contracts.events.accountability import (
    AccountabilityStep,
    DecisionOutcome,
    SubjectKind,
)
from huiyin_shared.db.dialect import dialect_insert
from huiyin_shared.errors import Conflict


class StaleCase(Conflict):
    slug = "case-changed"
    title = "The case changed meanwhile; reload and try again"


@dataclass(frozen=True)
class Deadline:
    case_id: uuid.UUID
    step: AccountabilityStep
    subject_key: str
    due_date: date
    status: str
    overdue_at: datetime | None


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: CaseRecord, *, now: datetime) -> None:
        await self._session.execute(
            insert(accountability_cases).values(
                case_id=record.case_id,
                matter_id=record.matter_id,
                stage=record.stage.value,
                record=record.model_dump(mode="json"),
                version=1,
                opened_at=now,
                updated_at=now,
            )
        )
        await self._sync_deadlines(record)

    async def cases_of_matters(self, matter_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """Matter id → the accountability case opened on it."""
        if not matter_ids:
            return {}
        rows = await self._session.execute(
            select(accountability_cases.c.matter_id, accountability_cases.c.case_id).where(
                accountability_cases.c.matter_id.in_(matter_ids)
            )
        )
        return {row.matter_id: row.case_id for row in rows}

    async def summaries(
        self, *, stage: str | None, limit: int, offset: int
    ) -> list[tuple[uuid.UUID, uuid.UUID, str, datetime]]:
        """(case id, matter id, stage, opened at), newest first."""
        query = select(
            accountability_cases.c.case_id,
            accountability_cases.c.matter_id,
            accountability_cases.c.stage,
            accountability_cases.c.opened_at,
        ).order_by(accountability_cases.c.opened_at.desc(), accountability_cases.c.case_id)
        if stage is not None:
            query = query.where(accountability_cases.c.stage == stage)
        rows = await self._session.execute(query.limit(limit).offset(offset))
        return [(r.case_id, r.matter_id, r.stage, r.opened_at) for r in rows]

    async def get(self, case_id: uuid.UUID) -> tuple[CaseRecord, int] | None:
        row = (
            await self._session.execute(
                select(accountability_cases.c.record, accountability_cases.c.version).where(
                    accountability_cases.c.case_id == case_id
                )
            )
        ).one_or_none()
        return None if row is None else (CaseRecord.model_validate(row.record), row.version)

    async def save(self, record: CaseRecord, *, version: int, now: datetime) -> None:
        """Store the new record if nobody changed the case since ``version`` was read."""
        result = await self._session.execute(
            update(accountability_cases)
            .where(
                accountability_cases.c.case_id == record.case_id,
                accountability_cases.c.version == version,
            )
            .values(
                stage=record.stage.value,
                record=record.model_dump(mode="json"),
                version=version + 1,
                updated_at=now,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleCase(f"case {record.case_id} was changed by another request")
        await self._sync_deadlines(record)

    async def _sync_deadlines(self, record: CaseRecord) -> None:
        """Running clocks are upserted; clocks no longer running and still open are met."""
        running = open_deadlines(record)
        for step, key, due in running:
            stmt = dialect_insert(self._session, procedure_deadlines).values(
                case_id=record.case_id,
                step=step.value,
                subject_key=key,
                due_date=due,
                status="open",
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[
                    procedure_deadlines.c.case_id,
                    procedure_deadlines.c.step,
                    procedure_deadlines.c.subject_key,
                ],
                set_={"due_date": due},
            )
            await self._session.execute(stmt)
        existing = await self.deadlines(record.case_id)
        still = {(step.value, key) for step, key, _ in running}
        for deadline in existing:
            if (
                deadline.status == "open"
                and (deadline.step.value, deadline.subject_key) not in still
            ):
                await self._session.execute(
                    update(procedure_deadlines)
                    .where(
                        procedure_deadlines.c.case_id == record.case_id,
                        procedure_deadlines.c.step == deadline.step.value,
                        procedure_deadlines.c.subject_key == deadline.subject_key,
                    )
                    .values(status="met")
                )

    async def deadlines(self, case_id: uuid.UUID) -> list[Deadline]:
        rows = await self._session.execute(
            select(procedure_deadlines)
            .where(procedure_deadlines.c.case_id == case_id)
            .order_by(procedure_deadlines.c.due_date)
        )
        return [_deadline(row._mapping) for row in rows]

    async def claim_overdue(self, *, today: date, limit: int) -> list[Deadline]:
        """Open deadlines whose day has passed, locked; other replicas skip them."""
        rows = await self._session.execute(
            select(procedure_deadlines)
            .where(procedure_deadlines.c.status == "open", procedure_deadlines.c.due_date < today)
            .order_by(procedure_deadlines.c.due_date)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_deadline(row._mapping) for row in rows]

    async def mark_overdue(self, deadline: Deadline, *, now: datetime) -> None:
        await self._session.execute(
            update(procedure_deadlines)
            .where(
                procedure_deadlines.c.case_id == deadline.case_id,
                procedure_deadlines.c.step == deadline.step.value,
                procedure_deadlines.c.subject_key == deadline.subject_key,
            )
            .values(status="overdue", overdue_at=now)
        )

    async def overdue(self, *, limit: int) -> list[Deadline]:
        rows = await self._session.execute(
            select(procedure_deadlines)
            .where(procedure_deadlines.c.status == "overdue")
            .order_by(procedure_deadlines.c.due_date)
            .limit(limit)
        )
        return [_deadline(row._mapping) for row in rows]

    async def record_sanction(
        self,
        *,
        case_id: uuid.UUID,
        kind: SubjectKind,
        subject_id: str,
        outcome: DecisionOutcome,
        severity: str | None,
        decided_at: datetime,
    ) -> None:
        stmt = dialect_insert(self._session, sanction_records).values(
            case_id=case_id,
            subject_kind=kind.value,
            subject_id=subject_id,
            outcome=outcome.value,
            severity=severity,
            decided_at=decided_at,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[
                sanction_records.c.case_id,
                sanction_records.c.subject_kind,
                sanction_records.c.subject_id,
            ],
            set_={"outcome": outcome.value, "severity": severity},
        )
        await self._session.execute(stmt)

    async def accountabilities_since(
        self, *, kind: SubjectKind, subject_id: str, since: datetime, excluding: uuid.UUID
    ) -> int:
        """Decisions holding the subject answerable (sanctioned) since ``since``."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(sanction_records)
            .where(
                sanction_records.c.subject_kind == kind.value,
                sanction_records.c.subject_id == subject_id,
                sanction_records.c.outcome == DecisionOutcome.SANCTIONED.value,
                sanction_records.c.decided_at >= since,
                sanction_records.c.case_id != excluding,
            )
        )
        return int(count or 0)


def _deadline(row: Any) -> Deadline:
    return Deadline(
        case_id=row["case_id"],
        step=AccountabilityStep(row["step"]),
        subject_key=row["subject_key"],
        due_date=row["due_date"],
        status=row["status"],
        overdue_at=row["overdue_at"],
    )
