"""Accountability's HTTP API: parse, call a use case or repository read, shape the answer.

No ``from __future__ import annotations`` here: FastAPI must evaluate the ``UoW`` alias,
which is local to :func:`build_router`, when it builds the dependency graph.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from huiyin_accountability import service
from huiyin_accountability.domain.ledger import LedgerEntry, VerificationResult, format_recorded_at
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork


class LedgerEntryOut(BaseModel):
    sequence: int
    event_id: uuid.UUID
    event_type: str
    producer: str
    subject: str
    occurred_at: datetime
    recorded_at: str = Field(description="UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ, exactly as hashed.")
    envelope: str = Field(description="The event envelope as canonical JSON, exactly as hashed.")
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> Self:
        return cls(
            sequence=entry.sequence,
            event_id=entry.event_id,
            event_type=entry.event_type,
            producer=entry.producer,
            subject=entry.subject,
            occurred_at=entry.occurred_at,
            recorded_at=format_recorded_at(entry.recorded_at),
            envelope=entry.envelope,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class LedgerPageOut(BaseModel):
    entries: list[LedgerEntryOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when this page was the last."
    )


class VerificationOut(BaseModel):
    intact: bool
    checked: int
    first_broken_sequence: int | None
    reason: str | None

    @classmethod
    def of(cls, result: VerificationResult) -> Self:
        return cls.model_validate(result, from_attributes=True)


def build_router(
    uow_factory: Callable[[], AccountabilityUnitOfWork], *, verify_page_size: int
) -> APIRouter:
    router = APIRouter(prefix="/v1/ledger", tags=["ledger"])

    async def unit_of_work() -> AsyncIterator[AccountabilityUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    UoW = Annotated[AccountabilityUnitOfWork, Depends(unit_of_work)]  # noqa: N806

    @router.get("/entries", response_model=LedgerPageOut)
    async def list_entries(
        uow: UoW,
        after: Annotated[int, Query(ge=0, description="Return entries after this sequence.")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> LedgerPageOut:
        """The power-operation record in sequence order, a page at a time (for export)."""
        entries = await uow.ledger.page(after=after, limit=limit)
        return LedgerPageOut(
            entries=[LedgerEntryOut.of(e) for e in entries],
            next_after=entries[-1].sequence if len(entries) == limit else None,
        )

    @router.get("/verify", response_model=VerificationOut)
    async def verify(uow: UoW) -> VerificationOut:
        """Re-compute the hash chain over the whole ledger and say where it first breaks."""
        return VerificationOut.of(await service.verify_ledger(uow, page_size=verify_page_size))

    return router
