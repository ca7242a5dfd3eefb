"""Every query of the intake service."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_intake.db import petitions, registration_counters
from huiyin_intake.domain.decisions import Decision, DecisionOutcome
from huiyin_intake.domain.petitions import Petition, PetitionStatus, Registration
from huiyin_shared.contracts.events.common import Channel, NotAcceptedReason, PetitionKind


class RegistrationCounterRepository:
    """One counter per registering office and year, incremented in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_value(self, *, office_id: str, year: int) -> int:
        """The next sequence number; the counter row stays locked until the transaction ends,
        so concurrent registrations queue up and a rolled-back one leaves no gap."""
        counters = registration_counters
        dialect = self._session.get_bind().dialect.name
        statement: postgresql.Insert | sqlite.Insert
        if dialect == "postgresql":
            statement = postgresql.insert(counters)
        elif dialect == "sqlite":
            statement = sqlite.insert(counters)
        else:
            raise RuntimeError(f"registration counters need PostgreSQL or SQLite, not {dialect}")
        upsert = (
            statement.values(office_id=office_id, year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=[counters.c.office_id, counters.c.year],
                set_={"last_value": counters.c.last_value + 1},
            )
            .returning(counters.c.last_value)
        )
        return int((await self._session.execute(upsert)).scalar_one())


class PetitionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, petition: Petition) -> None:
        await self._session.execute(insert(petitions).values(**_to_row(petition)))

    async def save_decision(self, petition: Petition) -> None:
        await self._session.execute(
            update(petitions)
            .where(petitions.c.petition_id == petition.petition_id)
            .values(status=petition.status.value, **_decision_row(petition.decision))
        )

    async def get(self, *, petition_id: uuid.UUID, for_update: bool = False) -> Petition | None:
        """One petition; ``for_update`` locks its row until the transaction ends."""
        statement = select(petitions).where(petitions.c.petition_id == petition_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).one_or_none()
        return None if row is None else _to_petition(row._mapping)

    async def list_newest(
        self,
        *,
        status: PetitionStatus | None = None,
        office_id: str | None = None,
        limit: int,
        offset: int,
    ) -> list[Petition]:
        """Newest registration first."""
        statement = select(petitions)
        if status is not None:
            statement = statement.where(petitions.c.status == status.value)
        if office_id is not None:
            statement = statement.where(petitions.c.office_id == office_id)
        statement = (
            statement.order_by(petitions.c.registered_at.desc(), petitions.c.petition_id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_to_petition(row._mapping) for row in await self._session.execute(statement)]


def _to_row(petition: Petition) -> dict[str, Any]:
    details = petition.details
    return {
        "petition_id": petition.petition_id,
        "registration_number": petition.registration_number,
        "office_id": details.office_id,
        "channel": details.channel.value,
        "kind": details.kind.value,
        "received_at": details.received_at,
        "registered_at": petition.registered_at,
        "registered_by": details.registered_by,
        "petitioner_ref": petition.petitioner_ref,
        "anonymous": details.anonymous,
        "people_count": details.people_count,
        "accused_unit_ids": list(details.accused_unit_ids),
        "division_code": details.division_code,
        "subject_category": details.subject_category,
        "summary": details.summary,
        "urgent": details.urgent,
        "status": petition.status.value,
        **_decision_row(petition.decision),
    }


def _decision_row(decision: Decision | None) -> dict[str, Any]:
    return {
        "decision": None if decision is None else decision.outcome.value,
        "decided_at": None if decision is None else decision.decided_at,
        "decided_by": None if decision is None else decision.decided_by,
        "acceptance_notice_due": None if decision is None else decision.acceptance_notice_due,
        "not_accepted_reason": (
            None if decision is None or decision.reason is None else decision.reason.value
        ),
        "proper_channel": None if decision is None else decision.proper_channel,
    }


def _to_petition(row: RowMapping) -> Petition:
    details = Registration(
        office_id=row["office_id"],
        channel=Channel(row["channel"]),
        kind=PetitionKind(row["kind"]),
        received_at=row["received_at"],
        anonymous=row["anonymous"],
        people_count=row["people_count"],
        division_code=row["division_code"],
        subject_category=row["subject_category"],
        summary=row["summary"],
        urgent=row["urgent"],
        accused_unit_ids=tuple(row["accused_unit_ids"]),
        registered_by=row["registered_by"],
    )
    return Petition(
        petition_id=row["petition_id"],
        registration_number=row["registration_number"],
        registered_at=row["registered_at"],
        petitioner_ref=row["petitioner_ref"],
        details=details,
        status=PetitionStatus(row["status"]),
        decision=_to_decision(row),
    )


def _to_decision(row: RowMapping) -> Decision | None:
    if row["decision"] is None:
        return None
    reason = row["not_accepted_reason"]
    return Decision(
        outcome=DecisionOutcome(row["decision"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        acceptance_notice_due=row["acceptance_notice_due"],
        reason=None if reason is None else NotAcceptedReason(reason),
        proper_channel=row["proper_channel"],
    )
