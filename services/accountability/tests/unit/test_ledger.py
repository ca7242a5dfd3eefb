"""The hash chain's pure rules: hashing, chaining and every way a chain can break."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from huiyin_accountability.domain import ledger
from huiyin_accountability.domain.ledger import (
    GENESIS_HASH,
    LedgerEntry,
    LedgerHead,
    canonical_bytes,
    canonical_json,
    entry_hash,
    format_recorded_at,
    verify_chain,
)

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def envelope(n: int, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": str(uuid.UUID(int=n)),
        "type": "petition.registered" if n % 2 else "petition.accepted",
        "version": 1,
        "occurred_at": (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
        "producer": "intake",
        "correlation_id": None,
        "causation_id": None,
        "subject": f"petition:{n}",
        "data": {"summary": "拖欠工资三个月", "n": n},
    }
    return base | changes


def chain(length: int) -> list[LedgerEntry]:
    head = LedgerHead()
    entries = []
    for n in range(1, length + 1):
        entry = head.append(envelope(n), recorded_at=T0 + timedelta(seconds=n, microseconds=n))
        entries.append(entry)
        head = head.after(entry)
    return entries


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": ["信访", None]}) == '{"a":["信访",null],"b":1}'.encode()


def test_hashed_bytes_follow_the_documented_layout() -> None:
    recorded = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    data = canonical_bytes(
        sequence=12, prev_hash="ab" * 32, recorded_at=recorded, envelope_json='{"x":"回音"}'
    )
    expected = "huiyin-ledger/1\n12\n" + "ab" * 32 + '\n2026-03-02T09:30:00.000000Z\n{"x":"回音"}'
    assert data == expected.encode("utf-8")
    assert (
        entry_hash(
            sequence=12, prev_hash="ab" * 32, recorded_at=recorded, envelope_json='{"x":"回音"}'
        )
        == hashlib.sha256(data).hexdigest()
    )


def test_recorded_at_is_rendered_in_utc_with_microseconds() -> None:
    shanghai = datetime(2026, 3, 2, 9, 30, 0, 5, tzinfo=UTC).astimezone()
    assert format_recorded_at(shanghai) == "2026-03-02T09:30:00.000005Z"
    with pytest.raises(ValueError, match="aware"):
        format_recorded_at(datetime(2026, 3, 2))


def test_first_entry_links_to_64_zeros_and_the_rest_to_their_predecessor() -> None:
    entries = chain(3)
    assert entries[0].prev_hash == GENESIS_HASH == "0" * 64
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[0].event_type == "petition.registered"
    assert entries[0].occurred_at == T0 + timedelta(minutes=1)


def test_an_untouched_chain_is_intact() -> None:
    entries = chain(5)
    head = LedgerHead().after(entries[-1])
    assert verify_chain(entries, head=head) == ledger.VerificationResult(intact=True, checked=5)
    assert verify_chain([]).intact


def test_tampered_payload_breaks_at_that_entry() -> None:
    entries = chain(5)
    forged = entries[2].envelope.replace("拖欠工资三个月", "已解决")
    entries[2] = dataclasses.replace(entries[2], envelope=forged)
    result = verify_chain(entries)
    assert (result.intact, result.first_broken_sequence, result.checked) == (False, 3, 3)
    assert result.reason is not None
    assert "hash" in result.reason


def test_tampered_hash_breaks_at_that_entry() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], hash="f" * 64)
    result = verify_chain(entries)
    assert (result.intact, result.first_broken_sequence) == (False, 3)


def test_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = chain(5)
    forged = entries[2].envelope.replace("拖欠工资三个月", "已解决")
    rehashed = entry_hash(
        sequence=3,
        prev_hash=entries[2].prev_hash,
        recorded_at=entries[2].recorded_at,
        envelope_json=forged,
    )
    entries[2] = dataclasses.replace(entries[2], envelope=forged, hash=rehashed)
    result = verify_chain(entries)
    assert (result.intact, result.first_broken_sequence) == (False, 4)
    assert result.reason is not None
    assert "prev_hash" in result.reason


def test_removed_entry_is_a_gap() -> None:
    entries = chain(5)
    del entries[2]
    result = verify_chain(entries)
    assert (result.intact, result.first_broken_sequence) == (False, 3)
    assert result.reason == "expected entry 3, found entry 4"


def test_reordered_entries_break_at_the_first_misplaced_one() -> None:
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    result = verify_chain(entries)
    assert (result.intact, result.first_broken_sequence) == (False, 2)


def test_swapped_sequence_numbers_break_the_hash() -> None:
    entries = chain(5)
    second, third = entries[1], entries[2]
    entries[1] = dataclasses.replace(third, sequence=2)
    entries[2] = dataclasses.replace(second, sequence=3)
    result = verify_chain(entries)
    assert (result.intact, result.first_broken_sequence) == (False, 2)


def test_altered_recorded_at_breaks_the_hash() -> None:
    entries = chain(3)
    entries[1] = dataclasses.replace(
        entries[1], recorded_at=entries[1].recorded_at - timedelta(days=1)
    )
    assert verify_chain(entries).first_broken_sequence == 2


def test_a_column_that_disagrees_with_the_envelope_is_caught() -> None:
    entries = chain(3)
    entries[1] = dataclasses.replace(entries[1], subject="petition:999")
    result = verify_chain(entries)
    assert (result.intact, result.first_broken_sequence) == (False, 2)
    assert result.reason == "column subject disagrees with the envelope"


def test_a_truncated_tail_is_caught_by_the_head() -> None:
    entries = chain(5)
    head = LedgerHead().after(entries[-1])
    result = verify_chain(entries[:3], head=head)
    assert (result.intact, result.checked, result.first_broken_sequence) == (False, 3, 4)
    assert result.reason == "entries 4..5 missing"


def test_a_head_whose_hash_differs_from_the_last_entry_is_caught() -> None:
    entries = chain(2)
    result = verify_chain(entries, head=LedgerHead(last_sequence=2, last_hash="e" * 64))
    assert (result.intact, result.first_broken_sequence) == (False, 2)


def test_verification_streams_and_stops_at_the_first_break() -> None:
    consumed = 0

    def entries() -> Any:
        nonlocal consumed
        for entry in chain(10):
            consumed += 1
            yield entry if entry.sequence != 4 else dataclasses.replace(entry, hash="0" * 64)

    assert verify_chain(entries()).first_broken_sequence == 4
    assert consumed == 4


def _export(entries: list[LedgerEntry], path: Path) -> None:
    with path.open("w", encoding="utf-8") as export:
        for e in entries:
            row = {
                "sequence": e.sequence,
                "prev_hash": e.prev_hash,
                "recorded_at": format_recorded_at(e.recorded_at),
                "envelope": e.envelope,
                "hash": e.hash,
            }
            export.write(json.dumps(row, ensure_ascii=False) + "\n")


def _documented_script() -> str:
    doc = ledger.__doc__ or ""
    body = doc.split("# --- verify_export.py ---\n", 1)[1].split("# --- end ---", 1)[0]
    lines = body.splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines)


def test_the_documented_outsider_script_verifies_an_export(tmp_path: Path) -> None:
    script = tmp_path / "verify_export.py"
    script.write_text(_documented_script(), encoding="utf-8")
    entries = chain(4)
    _export(entries, tmp_path / "good.jsonl")
    ok = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "good.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"intact: 4 entries, last hash {entries[-1].hash}" in ok.stdout

    entries[1] = dataclasses.replace(entries[1], envelope=entries[1].envelope.replace("三", "四"))
    _export(entries, tmp_path / "bad.jsonl")
    bad = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "bad.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert "entry 2 altered" in bad.stderr


def test_a_received_body_is_kept_byte_for_byte() -> None:
    raw = json.dumps(envelope(1), indent=2, ensure_ascii=True)  # not canonical, as it came
    entry = LedgerHead().append(raw, recorded_at=T0)
    assert entry.envelope == raw
    assert entry.event_type == "petition.registered"
    assert verify_chain([entry]).intact


def test_the_shipped_standalone_script_verifies_and_checks_the_last_hash(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "tools" / "verify_ledger_export.py"
    entries = chain(3)
    _export(entries, tmp_path / "export.ndjson")

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), str(tmp_path / "export.ndjson"), *extra],
            capture_output=True,
            text=True,
            check=False,
        )

    assert run("--last-hash", entries[-1].hash).returncode == 0
    wrong = run("--last-hash", "a" * 64)
    assert wrong.returncode == 1
    assert "last hash" in wrong.stderr
    del entries[1]
    _export(entries, tmp_path / "export.ndjson")
    assert "entry 2 missing" in run().stderr
