#!/usr/bin/env python3
"""Verify an export of Huiyin's power-operation record (权力运行记录) on your own machine.

Standard library only (Python 3.8+). Get the export from the accountability service::

    curl -H "Authorization: Bearer $TOKEN" http://HOST:8004/v1/ledger/export > ledger.ndjson
    python3 verify_ledger_export.py ledger.ndjson [--last-hash HEX]

Each line is one entry: sequence, prev_hash, recorded_at, envelope, hash (other fields are
ignored). Entry n's hash is SHA-256 over these five fields joined by a line feed::

    huiyin-ledger/1 \\n <sequence> \\n <prev_hash> \\n <recorded_at> \\n <envelope>

Entry 1's prev_hash is 64 zeros; every later prev_hash is the previous entry's hash. The
script prints "intact: N entries, last hash H" and exits 0, or names the first broken entry
and exits 1. Compare H with a hash recorded elsewhere (a report, a signed print-out) with
--last-hash: only that catches someone who rewrote every entry after a point.
"""

import argparse
import hashlib
import json
import sys

FORMAT_TAG = "huiyin-ledger/1"
GENESIS = "0" * 64


def verify(lines):
    """Return (entries checked, last hash) or raise ValueError naming the first break."""
    prev, expected = GENESIS, 1
    for line in lines:
        if not line.strip():
            continue
        entry = json.loads(line)
        if entry["sequence"] != expected:
            raise ValueError(
                f"entry {expected} missing or out of order (found {entry['sequence']})"
            )
        if entry["prev_hash"] != prev:
            raise ValueError(f"entry {expected} not linked to entry {expected - 1}")
        fields = [FORMAT_TAG, str(expected), prev, entry["recorded_at"], entry["envelope"]]
        if hashlib.sha256("\n".join(fields).encode("utf-8")).hexdigest() != entry["hash"]:
            raise ValueError(f"entry {expected} altered")
        prev, expected = entry["hash"], expected + 1
    return expected - 1, prev


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="the NDJSON export, or - for standard input")
    parser.add_argument("--last-hash", help="the last hash as recorded elsewhere")
    args = parser.parse_args(argv)
    source = sys.stdin if args.export == "-" else open(args.export, encoding="utf-8")  # noqa: SIM115
    with source:
        try:
            count, last = verify(source)
        except (ValueError, KeyError, TypeError) as exc:
            print(f"BROKEN: {exc}", file=sys.stderr)
            return 1
    if args.last_hash and args.last_hash.lower() != last:
        print(f"BROKEN: the last hash is {last}, not {args.last_hash}", file=sys.stderr)
        return 1
    print(f"intact: {count} entries, last hash {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
