"""Trigger facts and checks."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_accountability.db import trigger_checks, trigger_facts
from huiyin_accountability.domain.facts import Fact
from huiyin_accountability.domain.triggers import Watch
from huiyin_shared.db.dialect import DialectInsert, per_dialect

PENDING, CLEARED, FIRED = "pending", "cleared", "fired"


# Built once: every group of facts runs these (see huiyin_shared.db.dialect).
@per_dialect
def _add_facts(insert: DialectInsert) -> Insert:
    return insert(trigger_facts).on_conflict_do_nothing().returning(trigger_facts.c.event_id)


@per_dialect
def _schedule(insert: DialectInsert) -> Insert:
    stmt = insert(trigger_checks)
    return stmt.on_conflict_do_update(
        index_elements=[trigger_checks.c.rule_id, trigger_checks.c.subject_key],
        set_={name: stmt.excluded[name] for name in ("status", "check_at", "updated_at")},
        where=trigger_checks.c.status != FIRED,
    )


_PETITIONS_OF_CASES = select(trigger_facts.c.petition_id).where(
    trigger_facts.c.case_id.in_(bindparam("cases", expanding=True)),
    trigger_facts.c.event_type == "case.opened",
)
_REOPEN_CLEARED = (
    update(trigger_checks)
    .where(
        trigger_checks.c.status == CLEARED,
        or_(
            trigger_checks.c.petition_id.in_(bindparam("petitions", expanding=True)),
            trigger_checks.c.case_id.in_(bindparam("cases", expanding=True)),
        ),
    )
    .values(status=PENDING, check_at=bindparam("new_check_at"), updated_at=bindparam("now"))
)


@dataclass(frozen=True)
class DueCheck:
    watch: Watch
    check_at: datetime


class TriggerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_facts(self, facts: Sequence[Fact]) -> set[uuid.UUID]:
        """Store the facts, each once; the event ids not stored before."""
        if not facts:
            return set()
        rows = await self._session.execute(
            _add_facts(self._session),
            [
                {
                    "event_id": fact.event_id,
                    "event_type": fact.event_type,
                    "occurred_at": fact.occurred_at,
                    "petition_id": fact.petition_id,
                    "case_id": fact.case_id,
                    "data": dict(fact.data),
                }
                for fact in facts
            ],
        )
        return {row.event_id for row in rows}

    async def facts_about(
        self, *, petition_id: uuid.UUID | None, case_id: uuid.UUID | None
    ) -> list[Fact]:
        """Everything known about a petition and its cases, or a case and its petition."""
        petitions = {petition_id} - {None}
        cases = {case_id} - {None}
        found: dict[uuid.UUID, Fact] = {}
        for _ in range(3):  # case → petition → its other cases: a fixed point in three steps
            conditions = []
            if petitions:
                conditions.append(trigger_facts.c.petition_id.in_(petitions))
            if cases:
                conditions.append(trigger_facts.c.case_id.in_(cases))
            if not conditions:
                break
            rows = await self._session.execute(select(trigger_facts).where(or_(*conditions)))
            for row in rows:
                found[row.event_id] = _fact(row._mapping)
            opened = [f for f in found.values() if f.event_type == "case.opened"]
            grown_p = petitions | {f.petition_id for f in opened if f.case_id in cases}
            grown_c = cases | {f.case_id for f in opened if f.petition_id in petitions}
            if grown_p == petitions and grown_c == cases:
                break
            petitions, cases = grown_p - {None}, grown_c - {None}
        return sorted(found.values(), key=lambda f: (f.occurred_at, str(f.event_id)))

    async def facts_of_types(
        self, types: Iterable[str], *, since: datetime, until: datetime
    ) -> list[Fact]:
        rows = await self._session.execute(
            select(trigger_facts).where(
                trigger_facts.c.event_type.in_(list(types)),
                trigger_facts.c.occurred_at >= since,
                trigger_facts.c.occurred_at < until,
            )
        )
        return [_fact(row._mapping) for row in rows]

    async def petitions_of_cases(self, case_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """The petitions the cases were opened for (as far as their openings are known)."""
        if not case_ids:
            return set()
        rows = await self._session.execute(
            _PETITIONS_OF_CASES,
            {"cases": list(case_ids)},
        )
        return {row.petition_id for row in rows if row.petition_id is not None}

    async def schedule(self, checks: Sequence[tuple[Watch, datetime]], *, now: datetime) -> None:
        """Create each check or (re)schedule it at its time; a fired check stays fired.

        One check appears at most once: PostgreSQL refuses a statement that updates the same
        row twice.
        """
        if not checks:
            return
        await self._session.execute(
            _schedule(self._session),
            [
                {
                    "rule_id": watch.rule_id,
                    "subject_key": watch.key,
                    "petition_id": watch.petition_id,
                    "case_id": watch.case_id,
                    "status": PENDING,
                    "check_at": check_at,
                    "updated_at": now,
                }
                for watch, check_at in checks
            ],
        )

    async def reopen_cleared(
        self,
        *,
        petition_ids: Collection[uuid.UUID],
        case_ids: Collection[uuid.UUID],
        check_at: datetime,
        now: datetime,
    ) -> None:
        """New facts about petitions or cases: judge their cleared checks again."""
        if not petition_ids and not case_ids:
            return
        await self._session.execute(
            _REOPEN_CLEARED,
            {
                "petitions": list(petition_ids),
                "cases": list(case_ids),
                "new_check_at": check_at,
                "now": now,
            },
        )

    async def claim_due(self, *, now: datetime, limit: int) -> list[DueCheck]:
        """Pending checks due by ``now``, locked; other replicas skip them (SKIP LOCKED)."""
        query = (
            select(trigger_checks)
            .where(trigger_checks.c.status == PENDING, trigger_checks.c.check_at <= now)
            .order_by(trigger_checks.c.check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self._session.execute(query)
        return [
            DueCheck(
                watch=Watch(
                    row.rule_id,
                    row.subject_key,
                    petition_id=row.petition_id,
                    case_id=row.case_id,
                ),
                check_at=row.check_at,
            )
            for row in rows
        ]

    async def settle(
        self, watch: Watch, *, status: str, now: datetime, check_at: datetime | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if check_at is not None:
            values["check_at"] = check_at
        await self._session.execute(
            update(trigger_checks)
            .where(
                trigger_checks.c.rule_id == watch.rule_id,
                trigger_checks.c.subject_key == watch.key,
            )
            .values(**values)
        )


def _fact(row: Any) -> Fact:
    return Fact(
        event_id=row["event_id"],
        event_type=row["event_type"],
        occurred_at=row["occurred_at"],
        petition_id=row["petition_id"],
        case_id=row["case_id"],
        data=row["data"],
    )
