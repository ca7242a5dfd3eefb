"""Reading a petitioner's identity (recorded, announced) and re-encrypting under a new key."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from huiyin_intake import integration_events
from huiyin_intake.domain.errors import PetitionNotFound
from huiyin_intake.domain.identity import Identity
from huiyin_intake.repository.identities import IdentityRead
from huiyin_intake.service.context import IntakeContext
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.contracts.events.petition import IdentityAccessed
from huiyin_shared.http.auth import Staff, StaffRole

log = structlog.get_logger(__name__)

READ_ROLES = frozenset({StaffRole.IDENTITY_CUSTODIAN})
"""Only the confidentiality custodian reads identities (000 保密制度: nobody outside the case
sees them; the custodian hands contact details to whoever must reply, and that is recorded)."""


@dataclass(frozen=True)
class IdentityReadOutcome:
    allowed: bool
    anonymous: bool
    identity: Identity | None


async def read_identity(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    *,
    petition_id: uuid.UUID,
    reader: Staff,
    reason: str,
) -> IdentityReadOutcome:
    """Record the attempt (allowed or not) and announce it as ``identity.accessed``; return
    the identity only to an allowed reader. The caller commits even a refusal."""
    petition = await uow.petitions.get(petition_id=petition_id)
    if petition is None:
        raise PetitionNotFound(f"no petition {petition_id}")
    now = context.clock.now()
    allowed_roles = reader.roles & READ_ROLES
    allowed = bool(allowed_roles)
    role = sorted(allowed_roles or reader.roles)[0]
    read = IdentityRead(
        read_id=uuid.uuid4(),
        petition_id=petition_id,
        reader_id=reader.staff_id,
        reader_role=role.value,
        reader_unit_id=reader.unit_id,
        reason=reason,
        read_at=now,
        allowed=allowed,
    )
    await uow.identity_reads.add(read)
    await uow.publish(
        IdentityAccessed(
            petition_id=petition_id,
            reader_id=read.reader_id,
            reader_role=read.reader_role,
            reader_unit_id=read.reader_unit_id,
            reason=reason,
            read_at=now,
            allowed=allowed,
        ),
        subject=integration_events.subject(petition_id),
    )
    log.info("identity.accessed", petition_id=str(petition_id), allowed=allowed)
    if not allowed:
        return IdentityReadOutcome(
            allowed=False, anonymous=petition.details.anonymous, identity=None
        )
    stored = await uow.identities.get(petition_id=petition_id)
    if stored is None:
        return IdentityReadOutcome(allowed=True, anonymous=True, identity=None)
    plaintext = context.cipher.open(stored.sealed, context=str(petition_id))
    return IdentityReadOutcome(
        allowed=True, anonymous=False, identity=Identity.from_json(plaintext)
    )


async def rotate_keys(
    uow_factory: Callable[[], IntakeUnitOfWork], context: IntakeContext, *, batch_size: int = 200
) -> int:
    """Re-encrypt every identity not under the active key, a committed batch at a time.
    Safe to run in several processes at once (batches are row-locked and skipped)."""
    active = context.cipher.active_key_id
    total = 0
    while True:
        async with uow_factory() as uow:
            batch = await uow.identities.not_under(key_id=active, limit=batch_size)
            if not batch:
                return total
            now = context.clock.now()
            for stored in batch:
                row = str(stored.petition_id)
                plaintext = context.cipher.open(stored.sealed, context=row)
                await uow.identities.reseal(
                    petition_id=stored.petition_id,
                    sealed=context.cipher.seal(plaintext, context=row),
                    at=now,
                )
            await uow.commit()
            total += len(batch)
            log.info("identity.keys_rotated", batch=len(batch), total=total, key_id=active)
