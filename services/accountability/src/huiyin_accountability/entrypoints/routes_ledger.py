"""The power-operation record over HTTP: pages, an NDJSON export, and verification.

No ``from __future__ import annotations`` here: FastAPI must evaluate the ``UoW`` alias,
which is local to :func:`ledger_router`, when it builds the dependency graph.
"""

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from huiyin_accountability import service
from huiyin_accountability.domain.ledger import LedgerEntry, VerificationResult, format_recorded_at
from huiyin_accountability.entrypoints.deps import Reader
from huiyin_accountability.metrics import LEDGER_CHAIN_INTACT
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork

EXPORT_PAGE = 1000


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


def ledger_router(
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
        _staff: Reader,
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
    async def verify(uow: UoW, _staff: Reader) -> VerificationOut:
        """Re-compute the hash chain over the whole ledger and say where it first breaks."""
        result = await service.verify_ledger(uow, page_size=verify_page_size)
        LEDGER_CHAIN_INTACT.set(1 if result.intact else 0)
        return VerificationOut.of(result)

    @router.get(
        "/export",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/x-ndjson": {}}}},
    )
    async def export(_staff: Reader) -> StreamingResponse:
        """The whole record as NDJSON, one entry per line, for ``verify_ledger_export.py``."""

        async def lines() -> AsyncIterator[bytes]:
            after = 0
            while True:
                async with uow_factory() as uow:
                    page = await uow.ledger.page(after=after, limit=EXPORT_PAGE)
                for entry in page:
                    line = LedgerEntryOut.of(entry).model_dump(mode="json")
                    yield (json.dumps(line, ensure_ascii=False) + "\n").encode()
                if len(page) < EXPORT_PAGE:
                    return
                after = page[-1].sequence

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    return router
