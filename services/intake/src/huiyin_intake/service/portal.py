"""Portal API keys (issued, rotated, revoked by an admin) and idempotent submissions."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from huiyin_intake.crypto import Sealed
from huiyin_intake.domain.errors import IdempotencyKeyReused, PortalKeyNotFound
from huiyin_intake.domain.portal import PortalScope, new_api_key, parse_api_key
from huiyin_intake.repository.portal import IdempotencyRecord, PortalKey
from huiyin_intake.service.context import IntakeContext
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.errors import Conflict, Forbidden, Unauthorized

API_KEY_SCHEME = "ApiKey"


@dataclass(frozen=True)
class IssuedKey:
    key: PortalKey
    plaintext: str
    """Shown once to the admin; only its keyed hash is stored."""


async def issue_key(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    *,
    portal_id: str,
    office_id: str,
    scopes: Iterable[PortalScope],
) -> IssuedKey:
    key_id, secret, plaintext = new_api_key()
    key = PortalKey(
        key_id=key_id,
        portal_id=portal_id,
        office_id=office_id,
        scopes=frozenset(scopes),
        secret_hash=context.keyed.api_key_hash(secret),
        issued_at=context.clock.now(),
        revoked_at=None,
        replaced_by=None,
    )
    await uow.portal_keys.add(key)
    return IssuedKey(key=key, plaintext=plaintext)


async def rotate_key(uow: IntakeUnitOfWork, context: IntakeContext, *, key_id: str) -> IssuedKey:
    """A new key with the same portal, office and scopes; the old one is revoked at once
    (issue a second key first with ``issue`` when the portal needs an overlap)."""
    old = await uow.portal_keys.get(key_id=key_id)
    if old is None or old.revoked_at is not None:
        raise PortalKeyNotFound(f"no active portal key {key_id}")
    issued = await issue_key(
        uow, context, portal_id=old.portal_id, office_id=old.office_id, scopes=old.scopes
    )
    await uow.portal_keys.revoke(
        key_id=key_id, at=context.clock.now(), replaced_by=issued.key.key_id
    )
    return issued


async def revoke_key(uow: IntakeUnitOfWork, context: IntakeContext, *, key_id: str) -> None:
    old = await uow.portal_keys.get(key_id=key_id)
    if old is None or old.revoked_at is not None:
        raise PortalKeyNotFound(f"no active portal key {key_id}")
    await uow.portal_keys.revoke(key_id=key_id, at=context.clock.now())


async def authenticate(
    uow: IntakeUnitOfWork, context: IntakeContext, *, presented: str | None, scope: PortalScope
) -> PortalKey:
    """The portal behind an ``X-API-Key``; 401 for a missing, malformed, unknown or revoked
    key (one answer for all), 403 when the key lacks the scope."""
    parsed = None if presented is None else parse_api_key(presented)
    key = None if parsed is None else await uow.portal_keys.get(key_id=parsed[0])
    offered = context.keyed.api_key_hash(parsed[1] if parsed else "")
    valid = key is not None and hmac.compare_digest(offered, key.secret_hash)
    if key is None or not valid or key.revoked_at is not None:
        raise Unauthorized("a valid portal API key is required (X-API-Key)", scheme=API_KEY_SCHEME)
    if scope not in key.scopes:
        raise Forbidden(f"this portal key lacks the {scope.value} scope")
    return key


def request_fingerprint(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class IdempotencyClaim:
    """A portal request sent with an ``Idempotency-Key``."""

    portal_id: str
    key: str
    fingerprint: str
    """The request body's hash: the same key with another body is refused."""

    @property
    def label(self) -> str:
        """What the stored answer's encryption is bound to."""
        return f"idempotency:{self.portal_id}:{self.key}"


async def idempotent(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    claim: IdempotencyClaim,
    produce: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> tuple[int, dict[str, Any], bool]:
    """``(status, answer, replayed)``: the first request under the key runs ``produce`` and
    its answer is kept (encrypted: it holds the query code); a retry gets that answer back.
    The same key with a different body is refused."""
    record = await uow.idempotency.claim(
        portal_id=claim.portal_id,
        key=claim.key,
        request_hash=claim.fingerprint,
        at=context.clock.now(),
    )
    if record is not None:
        return (*_kept_answer(context, claim, record), True)
    status, answer = await produce()
    await uow.idempotency.complete(
        portal_id=claim.portal_id,
        key=claim.key,
        status_code=status,
        sealed_answer=_seal(context, claim, answer),
    )
    return status, answer, False


async def kept_answer(
    uow: IntakeUnitOfWork, context: IntakeContext, claim: IdempotencyClaim
) -> tuple[int, dict[str, Any]] | None:
    """The answer kept for an earlier request with the key, if there was one (a read only)."""
    record = await uow.idempotency.find(portal_id=claim.portal_id, key=claim.key)
    return None if record is None else _kept_answer(context, claim, record)


def keep_answer(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    claim: IdempotencyClaim,
    status: int,
    answer: dict[str, Any],
) -> None:
    """Keep the answer of a request that claimed nothing first: it fails at the commit if
    another request kept one for the key in the meantime."""
    uow.idempotency.remember(
        portal_id=claim.portal_id,
        key=claim.key,
        request_hash=claim.fingerprint,
        at=context.clock.now(),
        status_code=status,
        sealed_answer=_seal(context, claim, answer),
    )


def _seal(context: IntakeContext, claim: IdempotencyClaim, answer: dict[str, Any]) -> Sealed:
    return context.cipher.seal(json.dumps(answer, ensure_ascii=False).encode(), context=claim.label)


def _kept_answer(
    context: IntakeContext, claim: IdempotencyClaim, record: IdempotencyRecord
) -> tuple[int, dict[str, Any]]:
    if not hmac.compare_digest(record.request_hash, claim.fingerprint):
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different request",
            errors=[
                {
                    "field": "header.Idempotency-Key",
                    "message": "already used with another body",
                    "type": "idempotency_key_reused",
                }
            ],
        )
    if record.status_code is None or record.sealed_answer is None:
        raise Conflict("the first request with this Idempotency-Key is still in progress")
    return record.status_code, json.loads(
        context.cipher.open(record.sealed_answer, context=claim.label)
    )
