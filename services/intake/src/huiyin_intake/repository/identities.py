"""Encrypted identities and the record of every attempt to read one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_intake.crypto import Sealed
from huiyin_intake.db import identities, identity_reads
from huiyin_shared.db.writes import defer_insert


@dataclass(frozen=True)
class StoredIdentity:
    petition_id: uuid.UUID
    sealed: Sealed
    id_number_index: str | None
    phone_index: str | None


@dataclass(frozen=True)
class IdentityRead:
    read_id: uuid.UUID
    petition_id: uuid.UUID
    reader_id: str
    reader_role: str
    reader_unit_id: str
    reason: str
    read_at: datetime
    allowed: bool


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, stored: StoredIdentity, *, at: datetime) -> None:
        """Queue the sealed identity with the transaction's other pending writes."""
        defer_insert(
            self._session,
            identities,
            {
                "petition_id": stored.petition_id,
                "key_id": stored.sealed.key_id,
                "nonce": stored.sealed.nonce,
                "ciphertext": stored.sealed.ciphertext,
                "id_number_index": stored.id_number_index,
                "phone_index": stored.phone_index,
                "encrypted_at": at,
            },
        )

    async def get(self, *, petition_id: uuid.UUID) -> StoredIdentity | None:
        row = (
            await self._session.execute(
                select(identities).where(identities.c.petition_id == petition_id)
            )
        ).one_or_none()
        if row is None:
            return None
        m = row._mapping
        return StoredIdentity(
            petition_id=m["petition_id"],
            sealed=Sealed(m["key_id"], m["nonce"], m["ciphertext"]),
            id_number_index=m["id_number_index"],
            phone_index=m["phone_index"],
        )

    async def not_under(self, *, key_id: str, limit: int) -> list[StoredIdentity]:
        """A batch of identities sealed under another key, locked (others skip them), so
        several rotation runs can share the work."""
        statement = (
            select(identities)
            .where(identities.c.key_id != key_id)
            .order_by(identities.c.petition_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self._session.execute(statement)
        return [
            StoredIdentity(
                petition_id=r.petition_id,
                sealed=Sealed(r.key_id, r.nonce, r.ciphertext),
                id_number_index=r.id_number_index,
                phone_index=r.phone_index,
            )
            for r in rows
        ]

    async def reseal(self, *, petition_id: uuid.UUID, sealed: Sealed, at: datetime) -> None:
        await self._session.execute(
            update(identities)
            .where(identities.c.petition_id == petition_id)
            .values(
                key_id=sealed.key_id,
                nonce=sealed.nonce,
                ciphertext=sealed.ciphertext,
                encrypted_at=at,
            )
        )


class IdentityReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, read: IdentityRead) -> None:
        await self._session.execute(
            insert(identity_reads).values(
                read_id=read.read_id,
                petition_id=read.petition_id,
                reader_id=read.reader_id,
                reader_role=read.reader_role,
                reader_unit_id=read.reader_unit_id,
                reason=read.reason,
                read_at=read.read_at,
                allowed=read.allowed,
            )
        )

    async def of_petition(self, *, petition_id: uuid.UUID) -> list[IdentityRead]:
        rows = await self._session.execute(
            select(identity_reads)
            .where(identity_reads.c.petition_id == petition_id)
            .order_by(identity_reads.c.read_at)
        )
        return [IdentityRead(**dict(row._mapping)) for row in rows]
