"""Portal API keys, idempotent submissions and shared rate-limit counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from huiyin_intake.crypto import Sealed
from huiyin_intake.db import idempotency_records, portal_keys, rate_limit_windows
from huiyin_intake.domain.portal import PortalScope
from huiyin_shared.db.dialect import dialect_insert
from huiyin_shared.db.writes import defer_insert, defer_update


@dataclass(frozen=True)
class PortalKey:
    key_id: str
    portal_id: str
    office_id: str
    scopes: frozenset[PortalScope]
    secret_hash: str
    issued_at: datetime
    revoked_at: datetime | None
    replaced_by: str | None


# Every submission runs these: built once, so a request neither builds nor hashes them.
_KEY_BY_ID = select(portal_keys).where(portal_keys.c.key_id == bindparam("key_id"))
_RECORD_BY_KEY = select(idempotency_records).where(
    idempotency_records.c.portal_id == bindparam("portal_id"),
    idempotency_records.c.idempotency_key == bindparam("key"),
)


class PortalKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, key: PortalKey) -> None:
        await self._session.execute(
            insert(portal_keys).values(
                key_id=key.key_id,
                portal_id=key.portal_id,
                office_id=key.office_id,
                scopes=sorted(s.value for s in key.scopes),
                secret_hash=key.secret_hash,
                issued_at=key.issued_at,
                revoked_at=key.revoked_at,
                replaced_by=key.replaced_by,
            )
        )

    async def get(self, *, key_id: str) -> PortalKey | None:
        row = (await self._session.execute(_KEY_BY_ID, {"key_id": key_id})).one_or_none()
        return None if row is None else _to_key(row._mapping)

    async def all(self) -> list[PortalKey]:
        rows = await self._session.execute(
            select(portal_keys).order_by(portal_keys.c.portal_id, portal_keys.c.issued_at)
        )
        return [_to_key(r._mapping) for r in rows]

    async def revoke(self, *, key_id: str, at: datetime, replaced_by: str | None = None) -> None:
        await self._session.execute(
            update(portal_keys)
            .where(portal_keys.c.key_id == key_id, portal_keys.c.revoked_at.is_(None))
            .values(revoked_at=at, replaced_by=replaced_by)
        )


def _to_key(row: RowMapping) -> PortalKey:
    return PortalKey(
        key_id=row["key_id"],
        portal_id=row["portal_id"],
        office_id=row["office_id"],
        scopes=frozenset(PortalScope(s) for s in row["scopes"]),
        secret_hash=row["secret_hash"],
        issued_at=row["issued_at"],
        revoked_at=row["revoked_at"],
        replaced_by=row["replaced_by"],
    )


@dataclass(frozen=True)
class IdempotencyRecord:
    request_hash: str
    status_code: int | None
    sealed_answer: Sealed | None


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, *, portal_id: str, key: str, request_hash: str, at: datetime
    ) -> IdempotencyRecord | None:
        """Claim ``key`` for this transaction; None when claimed, else the first request's
        record. On PostgreSQL a concurrent claim of the same key waits on the unique index
        until the first transaction ends, then sees its committed answer (or, if it rolled
        back, claims the key itself)."""
        table = idempotency_records
        claimed = await self._session.execute(
            dialect_insert(self._session, table)
            .on_conflict_do_nothing(index_elements=[table.c.portal_id, table.c.idempotency_key])
            .returning(table.c.portal_id),
            {
                "portal_id": portal_id,
                "idempotency_key": key,
                "request_hash": request_hash,
                "created_at": at,
            },
        )
        if claimed.first() is not None:
            return None
        record = await self.find(portal_id=portal_id, key=key)
        if record is None:  # purged between the two statements: a day-old key, reused
            raise RuntimeError(f"idempotency key {key!r} of {portal_id} vanished while claimed")
        return record

    async def find(self, *, portal_id: str, key: str) -> IdempotencyRecord | None:
        row = (
            await self._session.execute(_RECORD_BY_KEY, {"portal_id": portal_id, "key": key})
        ).one_or_none()
        if row is None:
            return None
        m = row._mapping
        sealed = (
            None if m["ciphertext"] is None else Sealed(m["key_id"], m["nonce"], m["ciphertext"])
        )
        return IdempotencyRecord(m["request_hash"], m["status_code"], sealed)

    def remember(
        self,
        *,
        portal_id: str,
        key: str,
        request_hash: str,
        at: datetime,
        status_code: int,
        sealed_answer: Sealed,
    ) -> None:
        """Keep a finished request's answer in one write (a pending one); a second answer
        for the same key fails at the unique index."""
        defer_insert(
            self._session,
            idempotency_records,
            {
                "portal_id": portal_id,
                "idempotency_key": key,
                "request_hash": request_hash,
                "created_at": at,
                "status_code": status_code,
                "key_id": sealed_answer.key_id,
                "nonce": sealed_answer.nonce,
                "ciphertext": sealed_answer.ciphertext,
            },
        )

    async def complete(
        self, *, portal_id: str, key: str, status_code: int, sealed_answer: Sealed
    ) -> None:
        await defer_update(
            self._session,
            idempotency_records,
            where={"portal_id": portal_id, "idempotency_key": key},
            values={
                "status_code": status_code,
                "key_id": sealed_answer.key_id,
                "nonce": sealed_answer.nonce,
                "ciphertext": sealed_answer.ciphertext,
            },
        )

    async def purge(self, *, before: datetime) -> int:
        result = await self._session.execute(
            delete(idempotency_records).where(idempotency_records.c.created_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class RateLimitRepository:
    """Fixed-window counters in the database, so every replica counts against one limit."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hit(self, *, bucket: str, window_start: datetime) -> int:
        table = rate_limit_windows
        upsert = (
            dialect_insert(self._session, table)
            .values(bucket=bucket, window_start=window_start, hits=1)
            .on_conflict_do_update(
                index_elements=[table.c.bucket, table.c.window_start],
                set_={"hits": table.c.hits + 1},
            )
            .returning(table.c.hits)
        )
        return int((await self._session.execute(upsert)).scalar_one())

    async def current(self, *, bucket: str, window_start: datetime) -> int:
        table = rate_limit_windows
        hits = await self._session.scalar(
            select(table.c.hits).where(
                table.c.bucket == bucket, table.c.window_start == window_start
            )
        )
        return int(hits or 0)

    async def purge(self, *, before: datetime) -> None:
        await self._session.execute(
            delete(rate_limit_windows).where(rate_limit_windows.c.window_start < before)
        )
