"""Petitions and their registration counters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Insert, Select, bindparam, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_intake.db import identities, petitions, registration_counters
from huiyin_intake.domain.decisions import Decision, DecisionOutcome
from huiyin_intake.domain.petitions import (
    COLLECTIVE_PEOPLE_COUNT,
    Petition,
    PetitionStatus,
    Registration,
)
from huiyin_shared.contracts.events.common import Channel, NotAcceptedReason, PetitionKind
from huiyin_shared.db.dialect import DialectInsert, per_dialect
from huiyin_shared.db.writes import defer_insert, defer_update


@per_dialect
def _take(insert: DialectInsert) -> Insert:
    """Built once: every registration (or group of them) runs it. A new row starts at the
    numbers taken; an existing one moves on by as many (the row ``excluded`` holds them)."""
    counters = registration_counters
    stmt = insert(counters)
    return stmt.on_conflict_do_update(
        index_elements=[counters.c.office_id, counters.c.year],
        set_={"last_value": counters.c.last_value + stmt.excluded.last_value},
    ).returning(counters.c.last_value)


class RegistrationCounterRepository:
    """One counter per registering office and year, incremented in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def take(self, *, office_id: str, year: int, count: int = 1) -> range:
        """The next ``count`` sequence numbers; the counter row stays locked until the
        transaction ends, so concurrent registrations queue up and a rolled-back one leaves
        no gap."""
        if count < 1:
            raise ValueError("take at least one number")
        values = {"office_id": office_id, "year": year, "last_value": count}
        last = int((await self._session.execute(_take(self._session), values)).scalar_one())
        return range(last - count + 1, last + 1)


@dataclass(frozen=True)
class PetitionFilter:
    """Staff search; every criterion optional, all combined with AND."""

    status: PetitionStatus | None = None
    channel: Channel | None = None
    kind: PetitionKind | None = None
    office_id: str | None = None
    division_code: str | None = None
    """A prefix: '3701' finds every county of that city."""
    urgent: bool | None = None
    collective: bool | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    text: str | None = None
    """Substring of the summary."""
    registration_number: str | None = None
    portal_id: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        c = petitions.c
        found: list[ColumnElement[bool]] = []
        for column, value in (
            (c.status, self.status),
            (c.channel, self.channel),
            (c.kind, self.kind),
            (c.office_id, self.office_id),
            (c.urgent, self.urgent),
            (c.registration_number, self.registration_number),
            (c.portal_id, self.portal_id),
        ):
            if value is not None:
                found.append(column == value)
        if self.division_code is not None:
            found.append(c.division_code.startswith(self.division_code, autoescape=True))
        if self.collective is not None:
            found.append(
                (c.people_count >= COLLECTIVE_PEOPLE_COUNT)
                if self.collective
                else (c.people_count < COLLECTIVE_PEOPLE_COUNT)
            )
        if self.received_from is not None:
            found.append(c.received_at >= self.received_from)
        if self.received_to is not None:
            found.append(c.received_at < self.received_to)
        if self.text is not None:
            found.append(c.summary.contains(self.text, autoescape=True))
        return found


class PetitionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, petition: Petition, *, query_code_hash: str | None = None) -> None:
        """Queue the petition's row with the transaction's other pending writes."""
        defer_insert(
            self._session, petitions, _to_row(petition) | {"query_code_hash": query_code_hash}
        )

    async def save(self, petition: Petition) -> None:
        """Persist what changes after registration: status, decision, link, urgency (sent
        with the transaction's other pending writes)."""
        await defer_update(
            self._session,
            petitions,
            where={"petition_id": petition.petition_id},
            values={
                "status": petition.status.value,
                "urgent": petition.details.urgent,
                "urgent_reported_at": petition.urgent_reported_at,
                "original_petition_id": petition.original_petition_id,
                **_decision_row(petition.decision),
            },
        )

    async def get(self, *, petition_id: uuid.UUID, for_update: bool = False) -> Petition | None:
        """One petition; ``for_update`` locks its row until the transaction ends."""
        statement = _PETITION_FOR_UPDATE if for_update else _PETITION
        row = (await self._session.execute(statement, {"petition_id": petition_id})).one_or_none()
        return None if row is None else _to_petition(row._mapping)

    async def find_by_number(
        self, *, registration_number: str
    ) -> tuple[Petition, str | None] | None:
        """A petition and its query-code hash, by registration number."""
        statement = select(petitions).where(petitions.c.registration_number == registration_number)
        row = (await self._session.execute(statement)).one_or_none()
        if row is None:
            return None
        return _to_petition(row._mapping), row._mapping["query_code_hash"]

    async def search(
        self, criteria: PetitionFilter, *, limit: int, offset: int
    ) -> tuple[list[Petition], int]:
        """A page of matches, newest registration first, and the number of all matches."""
        conditions = criteria.conditions()
        total = await self._session.scalar(
            select(func.count()).select_from(petitions).where(*conditions)
        )
        statement = (
            select(petitions)
            .where(*conditions)
            .order_by(petitions.c.registered_at.desc(), petitions.c.petition_id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = await self._session.execute(statement)
        return [_to_petition(row._mapping) for row in rows], int(total or 0)

    async def by_same_petitioner(
        self, *, id_number_index: str | None, phone_index: str | None
    ) -> list[Petition]:
        """Earlier petitions whose identity matches either blind index, oldest first."""
        given = {
            name: value
            for name, value in (("id_number_index", id_number_index), ("phone_index", phone_index))
            if value is not None
        }
        if not given:
            return []
        statement = _SAME_PETITIONER[tuple(given)]
        return [_to_petition(row._mapping) for row in await self._session.execute(statement, given)]

    async def count_linked(self, *, original_petition_id: uuid.UUID) -> int:
        total = await self._session.scalar(
            select(func.count())
            .select_from(petitions)
            .where(petitions.c.original_petition_id == original_petition_id)
        )
        return int(total or 0)


def _same_petitioner(*indexes: str) -> Select[Any]:
    return (
        select(petitions)
        .join(identities, identities.c.petition_id == petitions.c.petition_id)
        .where(or_(*(identities.c[index] == bindparam(index) for index in indexes)))
        .order_by(petitions.c.registered_at, petitions.c.registration_number)
        .limit(200)
    )


_PETITION = select(petitions).where(petitions.c.petition_id == bindparam("petition_id"))
_PETITION_FOR_UPDATE = _PETITION.with_for_update()

# Every registration runs one of these: built once, so a request neither builds nor hashes it.
_SAME_PETITIONER: dict[tuple[str, ...], Select[Any]] = {
    indexes: _same_petitioner(*indexes)
    for indexes in (("id_number_index",), ("phone_index",), ("id_number_index", "phone_index"))
}


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
        "accused_persons": list(details.accused_persons),
        "division_code": details.division_code,
        "address_text": details.address_text,
        "subject_category": details.subject_category,
        "summary": details.summary,
        "requests": details.requests,
        "evidence": list(details.evidence),
        "portal_id": details.portal_id,
        "urgent": details.urgent,
        "urgent_reported_at": petition.urgent_reported_at,
        "original_petition_id": petition.original_petition_id,
        "published_summary": petition.published_summary,
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
        "referral_reason": None if decision is None else decision.referral_reason,
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
        accused_persons=tuple(row["accused_persons"]),
        address_text=row["address_text"],
        requests=row["requests"],
        evidence=tuple(row["evidence"]),
        registered_by=row["registered_by"],
        portal_id=row["portal_id"],
    )
    return Petition(
        petition_id=row["petition_id"],
        registration_number=row["registration_number"],
        registered_at=row["registered_at"],
        petitioner_ref=row["petitioner_ref"],
        details=details,
        status=PetitionStatus(row["status"]),
        decision=_to_decision(row),
        original_petition_id=row["original_petition_id"],
        urgent_reported_at=row["urgent_reported_at"],
        published_summary=row["published_summary"],
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
        referral_reason=row["referral_reason"],
    )
