"""Registry versions (whole documents) and the record of every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_routing.db import registry_changes, registry_versions

# Any constant: registry writers take this transaction-scoped lock so versions never race.
_REGISTRY_LOCK = 0x48_59_52_47


_CURRENT_VERSION = select(func.max(registry_versions.c.version))
"""Built once: every routing decision checks it."""


@dataclass(frozen=True)
class RegistryVersionRow:
    version: int
    format: str
    checksum: str
    source: str
    created_at: datetime
    created_by: str
    reason: str
    counts: dict[str, int]


@dataclass(frozen=True)
class RegistryChange:
    version: int
    changed_at: datetime
    changed_by: str
    action: str
    target: str
    reason: str
    detail: dict[str, Any]


_META = [c for c in registry_versions.c if c.name != "document"]


class RegistryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_for_change(self) -> None:
        """Serialise registry writers (PostgreSQL; SQLite serialises writes itself)."""
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REGISTRY_LOCK}
            )

    async def current_version(self) -> int | None:
        value = await self._session.scalar(_CURRENT_VERSION)
        return None if value is None else int(value)

    async def get(self, version: int) -> RegistryVersionRow | None:
        row = (
            await self._session.execute(
                select(*_META).where(registry_versions.c.version == version)
            )
        ).one_or_none()
        return None if row is None else RegistryVersionRow(**dict(row._mapping))

    async def document(self, version: int) -> dict[str, Any] | None:
        value = await self._session.scalar(
            select(registry_versions.c.document).where(registry_versions.c.version == version)
        )
        return None if value is None else dict(value)

    async def add(self, row: RegistryVersionRow, document: dict[str, Any]) -> None:
        await self._session.execute(
            insert(registry_versions).values(**row.__dict__, document=document)
        )

    async def record_change(self, change: RegistryChange) -> None:
        await self._session.execute(insert(registry_changes).values(**change.__dict__))

    async def changes(self, *, limit: int, offset: int) -> list[RegistryChange]:
        rows = await self._session.execute(
            select(*[c for c in registry_changes.c if c.name != "id"])
            .order_by(registry_changes.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [RegistryChange(**dict(row._mapping)) for row in rows]
