"""The power-operation record (权力运行记录): a hash-chained, append-only ledger of events.

Every event of every service is appended as one **entry**, numbered ``sequence`` = 1, 2, 3 …
with no gaps. Each entry stores the event's envelope as it was received and is chained to
the entry before it by SHA-256, so a record that was altered, removed, inserted or
reordered after the fact is detected (domain.md §8: complete, never altered).

The envelope as received
    The ledger stores the event's message body **exactly as it arrived** (UTF-8 JSON text:
    the envelope with id, type, version, occurred_at, producer, correlation_id,
    causation_id, subject, data) in the entry's ``envelope`` field, and hashes those bytes.
    Nothing is re-serialised, so the record proves what was published, including events of
    types this service does not know. (Envelopes built in-process are first encoded as
    canonical JSON: ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``.)

Hashed bytes of entry *n*
    Five fields joined by a single line feed (``0x0A``), with no trailing line feed::

        huiyin-ledger/1          the format tag (ASCII)
        <sequence>               the decimal sequence number, no sign, no leading zeros
        <prev_hash>              64 lowercase hex digits
        <recorded_at>            UTC, exactly YYYY-MM-DDTHH:MM:SS.ffffffZ (6 fraction digits)
        <envelope>               the envelope text as stored (UTF-8)

    Only the last field can contain arbitrary text (line feeds included), and the four
    fields before it cannot contain a line feed, so the byte string is unambiguous.

Hash and chain
    ``hash = sha256(hashed bytes).hexdigest()`` (lowercase hex). Entry 1's ``prev_hash`` is
    64 zeros; entry *n*'s ``prev_hash`` is the ``hash`` of entry *n − 1*. A **ledger head**
    holds the last sequence and hash; appends lock it, so replicas append one at a time.

Verifying an export
    ``GET /v1/ledger/entries?after=<seq>&limit=<n>`` pages through the entries in sequence
    order; each entry carries ``sequence``, ``prev_hash``, ``recorded_at`` (already in the
    hashed form), ``envelope`` (the stored text) and ``hash``; ``GET /v1/ledger/export`` gives
    the whole record as one JSON object per line (NDJSON). This script checks such a file
    (it is also shipped as ``tools/verify_ledger_export.py``)::

        # --- verify_export.py ---
        import hashlib
        import json
        import sys

        prev, expected = "0" * 64, 1
        with open(sys.argv[1], encoding="utf-8") as export:
            for line in export:
                e = json.loads(line)
                if e["sequence"] != expected:
                    sys.exit(f"BROKEN: entry {expected} missing or out of order")
                if e["prev_hash"] != prev:
                    sys.exit(f"BROKEN: entry {expected} not linked to entry {expected - 1}")
                fields = ["huiyin-ledger/1", str(expected), prev, e["recorded_at"]]
                hashed = "\\n".join([*fields, e["envelope"]]).encode("utf-8")
                if hashlib.sha256(hashed).hexdigest() != e["hash"]:
                    sys.exit(f"BROKEN: entry {expected} altered")
                prev, expected = e["hash"], expected + 1
        print(f"intact: {expected - 1} entries, last hash {prev}")
        # --- end ---

    Compare the last hash with one recorded elsewhere (a report, a signed print-out): an
    attacker who rewrites every later entry and the head too can only be caught that way.

Checks made here beyond the script: the denormalised columns (event id, type, producer,
subject, occurred_at) agree with the envelope, and the ledger head agrees with the last
entry (a truncated tail is detected).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT_TAG = "huiyin-ledger/1"
GENESIS_HASH = "0" * 64
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_RECORDED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_json(obj: Any) -> bytes:
    """The canonical JSON encoding (sorted keys, no spaces, UTF-8 text)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def format_recorded_at(moment: datetime) -> str:
    """``recorded_at`` as it is hashed and exported: UTC, microseconds, ``Z``."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    return moment.astimezone(UTC).strftime(_RECORDED_AT_FORMAT)


def canonical_bytes(
    *, sequence: int, prev_hash: str, recorded_at: datetime, envelope_json: str
) -> bytes:
    """The exact bytes an entry's hash is taken over (see the module docstring)."""
    if sequence < 1:
        raise ValueError("sequence numbers start at 1")
    if not _HEX64.match(prev_hash):
        raise ValueError("prev_hash must be 64 lowercase hex digits")
    fields = [FORMAT_TAG, str(sequence), prev_hash, format_recorded_at(recorded_at), envelope_json]
    return "\n".join(fields).encode("utf-8")


def entry_hash(*, sequence: int, prev_hash: str, recorded_at: datetime, envelope_json: str) -> str:
    data = canonical_bytes(
        sequence=sequence, prev_hash=prev_hash, recorded_at=recorded_at, envelope_json=envelope_json
    )
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LedgerEntry:
    sequence: int
    event_id: uuid.UUID
    event_type: str
    producer: str
    subject: str
    occurred_at: datetime
    recorded_at: datetime
    envelope: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class LedgerHead:
    """The last appended entry's sequence and hash (0 and the genesis hash when empty)."""

    last_sequence: int = 0
    last_hash: str = GENESIS_HASH

    def append(self, envelope: str | Mapping[str, Any], *, recorded_at: datetime) -> LedgerEntry:
        """The next entry for ``envelope``: the text as received, kept byte for byte, or a
        JSON object built in-process (encoded as canonical JSON)."""
        if isinstance(envelope, str):
            text = envelope
            envelope = _envelope_object(text)
        else:
            text = canonical_json(dict(envelope)).decode("utf-8")
        sequence = self.last_sequence + 1
        return LedgerEntry(
            sequence=sequence,
            event_id=uuid.UUID(str(envelope["id"])),
            event_type=str(envelope["type"]),
            producer=str(envelope["producer"]),
            subject=str(envelope["subject"]),
            occurred_at=_parse_time(envelope["occurred_at"]),
            recorded_at=recorded_at,
            envelope=text,
            prev_hash=self.last_hash,
            hash=entry_hash(
                sequence=sequence,
                prev_hash=self.last_hash,
                recorded_at=recorded_at,
                envelope_json=text,
            ),
        )

    def after(self, entry: LedgerEntry) -> LedgerHead:
        return LedgerHead(last_sequence=entry.sequence, last_hash=entry.hash)


@dataclass(frozen=True)
class VerificationResult:
    intact: bool
    checked: int
    first_broken_sequence: int | None = None
    reason: str | None = None


class ChainVerifier:
    """Checks entries fed in sequence order, keeping only the previous hash in memory.

    ``checked`` counts the entries examined, up to and including the first broken one;
    checking stops at the first break.
    """

    def __init__(self) -> None:
        self._expected = 1
        self._prev_hash = GENESIS_HASH
        self._checked = 0
        self._broken: tuple[int, str] | None = None

    @property
    def broken(self) -> bool:
        return self._broken is not None

    def feed(self, entry: LedgerEntry) -> bool:
        """Check the next entry; False once the chain is broken (feed no more)."""
        if self._broken is not None:
            return False
        self._checked += 1
        problem = self._problem(entry)
        if problem is not None:
            self._broken = problem
            return False
        self._expected += 1
        self._prev_hash = entry.hash
        return True

    def finish(self, head: LedgerHead | None = None) -> VerificationResult:
        """The verdict; with ``head``, the chain must also end exactly where the head says."""
        if self._broken is None and head is not None:
            self._broken = self._head_problem(head)
        if self._broken is None:
            return VerificationResult(intact=True, checked=self._checked)
        sequence, reason = self._broken
        return VerificationResult(
            intact=False, checked=self._checked, first_broken_sequence=sequence, reason=reason
        )

    def _problem(self, entry: LedgerEntry) -> tuple[int, str] | None:
        expected = self._expected
        if entry.sequence != expected:
            return expected, f"expected entry {expected}, found entry {entry.sequence}"
        if entry.prev_hash != self._prev_hash:
            return expected, "prev_hash does not match the hash of the previous entry"
        try:
            recomputed = entry_hash(
                sequence=entry.sequence,
                prev_hash=entry.prev_hash,
                recorded_at=entry.recorded_at,
                envelope_json=entry.envelope,
            )
        except ValueError as exc:
            return expected, f"entry cannot be hashed: {exc}"
        if recomputed != entry.hash:
            return expected, "hash does not match the entry's content"
        mismatch = _column_mismatch(entry)
        return None if mismatch is None else (expected, mismatch)

    def _head_problem(self, head: LedgerHead) -> tuple[int, str] | None:
        last = self._expected - 1
        if head.last_sequence > last:
            if head.last_sequence == last + 1:
                return last + 1, f"entry {last + 1} missing"
            return last + 1, f"entries {last + 1}..{head.last_sequence} missing"
        if head.last_sequence < last:
            return head.last_sequence + 1, "entries found beyond the ledger head"
        if head.last_hash != self._prev_hash:
            return last or 1, "the ledger head's hash differs from the last entry's"
        return None


def verify_chain(
    entries: Iterable[LedgerEntry], *, head: LedgerHead | None = None
) -> VerificationResult:
    """Verify entries given in sequence order, streaming (only one entry is held at a time)."""
    verifier = ChainVerifier()
    for entry in entries:
        if not verifier.feed(entry):
            break
    return verifier.finish(head)


def _column_mismatch(entry: LedgerEntry) -> str | None:
    """The stored columns must say what the hashed envelope says."""
    try:
        envelope = _envelope_object(entry.envelope)
    except ValueError as exc:
        return str(exc)
    try:
        columns = {
            "event_id": uuid.UUID(str(envelope["id"])) == entry.event_id,
            "event_type": envelope["type"] == entry.event_type,
            "producer": envelope["producer"] == entry.producer,
            "subject": envelope["subject"] == entry.subject,
            "occurred_at": _parse_time(envelope["occurred_at"]) == entry.occurred_at,
        }
    except (KeyError, TypeError, ValueError):
        return "envelope lacks the envelope fields"
    wrong = [name for name, agrees in columns.items() if not agrees]
    return f"column {wrong[0]} disagrees with the envelope" if wrong else None


def _envelope_object(text: str) -> dict[str, Any]:
    try:
        envelope = json.loads(text)
    except ValueError:
        raise ValueError("envelope is not valid JSON") from None
    if not isinstance(envelope, dict):
        raise ValueError("envelope is not a JSON object")
    return envelope


def _parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("occurred_at must carry a time zone")
    return moment
