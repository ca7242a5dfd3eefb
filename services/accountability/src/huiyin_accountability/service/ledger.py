"""The power-operation record: append every event once, verify the chain."""

from __future__ import annotations

from collections.abc import Sequence

from huiyin_accountability.domain.ledger import (
    ChainVerifier,
    LedgerEntry,
    VerificationResult,
    canonical_json,
)
from huiyin_accountability.metrics import LEDGER_ENTRIES, on_commit
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.envelope import Envelope


async def record_event(
    uow: AccountabilityUnitOfWork, *, envelope: Envelope, clock: Clock, raw: str | None = None
) -> LedgerEntry:
    """Append one event to the ledger, once: ``raw`` (the message body as received)
    verbatim, else the envelope encoded as canonical JSON."""
    existing = await uow.ledger.get_by_event(event_id=envelope.id)
    if existing is not None:
        return existing
    body = raw if raw is not None else canonical_json(envelope.model_dump(mode="json")).decode()
    [entry] = await record_events(uow, [(body, envelope)], clock=clock)
    return entry


async def record_events(
    uow: AccountabilityUnitOfWork, items: Sequence[tuple[str, Envelope]], *, clock: Clock
) -> list[LedgerEntry]:
    """Append events (body as received, envelope) in order; events already recorded are
    skipped. Returns the new entries.

    The head row is locked first, so appends from every replica are serialised: the
    duplicate check, the inserts and the head update cannot interleave with another append.
    """
    head = await uow.ledger.lock_head()
    seen = await uow.ledger.recorded([envelope.id for _, envelope in items])
    entries: list[LedgerEntry] = []
    for body, envelope in items:
        if envelope.id in seen:
            continue
        seen.add(envelope.id)
        # Read the clock under the lock so recorded_at follows the sequence order.
        entry = head.append(body, recorded_at=clock.now())
        head = head.after(entry)
        entries.append(entry)
    await uow.ledger.append(entries)
    if entries:
        on_commit(uow.session, lambda: LEDGER_ENTRIES.inc(len(entries)))
    return entries


async def verify_ledger(uow: AccountabilityUnitOfWork, *, page_size: int) -> VerificationResult:
    """Re-check the whole chain page by page; memory stays flat however long the ledger.

    The head is read first and only entries up to it are checked, so appends committed
    while the check runs neither break nor extend it.
    """
    head = await uow.ledger.head()
    verifier = ChainVerifier()
    after = 0
    while after < head.last_sequence:
        page = await uow.ledger.page(after=after, limit=page_size, up_to=head.last_sequence)
        if not page:
            break
        for entry in page:
            if not verifier.feed(entry):
                return verifier.finish()
        after = page[-1].sequence
    return verifier.finish(head)
