"""The queries of screening and statistics (reads over many cases; writes only flags)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_shared.db.dialect import dialect_insert
from huiyin_supervision.case_repository import ClockState
from huiyin_supervision.db import (
    case_clocks,
    cases,
    petitions_seen,
    screening_flags,
    screening_runs,
)
from huiyin_supervision.domain.lifecycle import CaseStatus, is_open
from huiyin_supervision.domain.screening import OpenCase, PetitionSeen

OPEN = [status.value for status in CaseStatus if is_open(status)]


class ScreeningRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def petitions_since(self, since: datetime) -> list[PetitionSeen]:
        rows = await self._session.execute(
            select(petitions_seen).where(petitions_seen.c.received_at > since)
        )
        return [PetitionSeen(**row._mapping) for row in rows]

    async def open_cases(self, *, opened_before: datetime) -> list[OpenCase]:
        """Open lead cases that are old or have an overdue clock."""
        overdue = exists().where(
            case_clocks.c.case_id == cases.c.case_id,
            case_clocks.c.overdue_at.is_not(None),
            case_clocks.c.state.in_([ClockState.RUNNING, ClockState.PAUSED]),
        )
        rows = await self._session.execute(
            select(
                cases.c.case_id,
                cases.c.petition_id,
                cases.c.office_id,
                cases.c.opened_at,
                cases.c.escalation,
                overdue.label("overdue"),
            ).where(
                cases.c.status.in_(OPEN),
                cases.c.role == "lead",
                (cases.c.opened_at <= opened_before) | overdue,
            )
        )
        return [
            OpenCase(
                case_id=row.case_id,
                petition_id=row.petition_id,
                office_id=row.office_id,
                opened_at=row.opened_at,
                overdue=bool(row.overdue),
                leader_in_charge_id=(row.escalation or {}).get("leader_in_charge_id"),
            )
            for row in rows
        ]

    async def add_flag(self, values: dict[str, Any]) -> bool:
        """Store a flag; False when this run already flagged the matter."""
        result = await self._session.execute(
            dialect_insert(self._session, screening_flags).values(**values).on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    async def claim_run(self, run_key: str, *, at: datetime) -> bool:
        """True for the one caller that starts this periodic run."""
        result = await self._session.execute(
            dialect_insert(self._session, screening_runs)
            .values(run_key=run_key, started_at=at)
            .on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    async def flags(self, *, since: datetime, limit: int) -> Sequence[Any]:
        rows = await self._session.execute(
            select(screening_flags)
            .where(screening_flags.c.flagged_at >= since)
            .order_by(screening_flags.c.flagged_at.desc(), screening_flags.c.flag_id)
            .limit(limit)
        )
        return [row._mapping for row in rows]

    async def cases_between(self, start: datetime, end: datetime) -> Sequence[Any]:
        """Cases opened before ``end`` and not closed before ``start``, with overdue state."""
        overdue = exists().where(
            and_(case_clocks.c.case_id == cases.c.case_id, case_clocks.c.overdue_at < end)
        )
        rows = await self._session.execute(
            select(
                cases.c.case_id,
                cases.c.unit_id,
                cases.c.kind,
                cases.c.status,
                cases.c.opened_at,
                cases.c.closed_at,
                overdue.label("overdue"),
            ).where(
                cases.c.opened_at < end,
                (cases.c.closed_at.is_(None)) | (cases.c.closed_at >= start),
            )
        )
        return [row._mapping for row in rows]
