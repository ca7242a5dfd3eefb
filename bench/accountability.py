"""Power-operation record benchmark: append throughput and full-chain verification.

    uv run python bench/accountability.py [--appends 5000] [--writers 4] [--batch 32]
                                          [--entries 1000000] [--no-export]

Prints:
1. append throughput: ``--appends`` events appended as the ledger consumer does (head lock,
   then per event its inbox row, entry insert and head update) by ``--writers`` concurrent
   writers sharing the one head lock, one event per transaction and ``--batch`` per
   transaction (the consumer batches the messages in flight); appends/s;
2. full-chain verification of ``--entries`` entries: the chain is built with the service's
   own hashing and bulk-loaded (COPY), then ``verify_ledger`` re-reads and re-hashes every
   entry page by page, as ``GET /v1/ledger/verify`` and ``verify-ledger`` do; seconds and
   entries/s. Also the standalone verifier over an NDJSON export of the same entries.

Real PostgreSQL, a throw-away database dropped afterwards. The machine is shared: figures are
indicative only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from huiyin_accountability import service
from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.domain.ledger import LedgerHead, format_recorded_at
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import SystemClock
from huiyin_shared.contracts.catalogue import build_envelope
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.messaging.inbox import record_once
from huiyin_shared.testing.events import petition_registered
from huiyin_shared.testing.infrastructure import create_database, drop_database

ADMIN = os.environ.get("HUIYIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
VERIFIER = (
    Path(__file__).resolve().parents[1] / "services/accountability/tools/verify_ledger_export.py"
)
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
BATCH = 10_000


def body(n: int) -> str:
    """A realistic envelope (petition.registered, ~900 bytes) as its producer would send it."""
    data = petition_registered(uuid.UUID(int=n), received_at=T0)
    return build_envelope(
        data, producer="intake", subject=f"petition:{uuid.UUID(int=n)}", occurred_at=T0
    ).model_dump_json()


async def appends(url: str, count: int, writers: int, batch: int) -> float:
    app = bootstrap(AccountabilitySettings(database_url=url), consumers=False, timers=False)
    platform = app.platform
    uow_factory = platform.unit_of_work_factory(AccountabilityUnitOfWork)
    bodies = [body(n) for n in range(count)]
    clock = SystemClock()
    queue: asyncio.Queue[str] = asyncio.Queue()
    for text in bodies:
        queue.put_nowait(text)

    async def writer() -> None:
        while not queue.empty():
            texts = [queue.get_nowait() for _ in range(min(batch, queue.qsize()))]
            items = [(text, Envelope.model_validate_json(text)) for text in texts]
            async with uow_factory() as uow:  # as the ledger's consumer: append, then inbox
                await service.record_events(uow, items, clock=clock)
                await record_once(
                    uow.session,
                    platform.tables.inbox,
                    [envelope for _, envelope in items],
                    consumer="accountability.ledger",
                    received_at=clock.now(),
                )
                await uow.commit()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    elapsed = time.perf_counter() - started
    await platform.engine.dispose()
    return count / elapsed


async def bulk_load(url: str, entries: int) -> str:
    """Build a valid chain of ``entries`` entries and COPY it in; returns the last hash."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    head = LedgerHead()
    template = body(0)
    zero_id = str(Envelope.model_validate_json(template).id)
    columns = [
        "sequence",
        "event_id",
        "event_type",
        "producer",
        "subject",
        "occurred_at",
        "recorded_at",
        "envelope",
        "prev_hash",
        "hash",
    ]
    try:
        done = 0
        while done < entries:
            rows = []
            for n in range(done + 1, min(done + BATCH, entries) + 1):
                event_id = str(uuid.UUID(int=n))
                text = template.replace(zero_id, event_id)
                entry = head.append(text, recorded_at=T0 + timedelta(microseconds=n))
                head = head.after(entry)
                rows.append(
                    (
                        entry.sequence,
                        entry.event_id,
                        entry.event_type,
                        entry.producer,
                        entry.subject,
                        entry.occurred_at,
                        entry.recorded_at,
                        entry.envelope,
                        entry.prev_hash,
                        entry.hash,
                    )
                )
            await connection.copy_records_to_table("ledger_entries", records=rows, columns=columns)
            done += len(rows)
        await connection.execute(
            "UPDATE ledger_head SET last_sequence = $1, last_hash = $2 WHERE id = 1",
            head.last_sequence,
            head.last_hash,
        )
        await connection.execute("ANALYZE ledger_entries")
    finally:
        await connection.close()
    return head.last_hash


async def verify(url: str, entries: int) -> float:
    app = bootstrap(AccountabilitySettings(database_url=url), consumers=False, timers=False)
    uow_factory = app.platform.unit_of_work_factory(AccountabilityUnitOfWork)
    started = time.perf_counter()
    async with uow_factory() as uow:
        result = await service.verify_ledger(uow, page_size=1000)
    elapsed = time.perf_counter() - started
    await app.platform.engine.dispose()
    assert result.intact, result
    assert result.checked == entries, result
    return elapsed


async def export_and_verify(url: str, last_hash: str) -> tuple[float, float]:
    app = bootstrap(AccountabilitySettings(database_url=url), consumers=False, timers=False)
    uow_factory = app.platform.unit_of_work_factory(AccountabilityUnitOfWork)
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8") as out:
        path = out.name
        started = time.perf_counter()
        after = 0
        while True:
            async with uow_factory() as uow:
                page = await uow.ledger.page(after=after, limit=5000)
            for e in page:
                out.write(
                    json.dumps(
                        {
                            "sequence": e.sequence,
                            "prev_hash": e.prev_hash,
                            "recorded_at": format_recorded_at(e.recorded_at),
                            "envelope": e.envelope,
                            "hash": e.hash,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
            if len(page) < 5000:
                break
            after = page[-1].sequence
        exported = time.perf_counter() - started
    await app.platform.engine.dispose()
    started = time.perf_counter()
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(VERIFIER), path, "--last-hash", last_hash],
        capture_output=True,
        text=True,
        check=False,
    )
    checked = time.perf_counter() - started
    os.unlink(path)
    assert done.returncode == 0, done.stderr
    return exported, checked


async def main(args: argparse.Namespace) -> None:
    for label, action in (("append", "appends"), ("verify", "entries")):
        if getattr(args, action) <= 0:
            continue
        name = f"huiyin_bench_{uuid.uuid4().hex[:8]}"
        url = await create_database(ADMIN, name)
        try:
            await asyncio.to_thread(upgrade, "huiyin_accountability", url)
            if label == "append":
                for batch in sorted({1, args.batch}):
                    rate = await appends(url, args.appends, args.writers, batch)
                    print(
                        f"append: {args.appends} events, {args.writers} writers, "
                        f"{batch} per transaction: {rate:,.0f} appends/s"
                    )
            else:
                started = time.perf_counter()
                last = await bulk_load(url, args.entries)
                print(
                    f"load: {args.entries:,} entries built and copied in "
                    f"{time.perf_counter() - started:,.1f} s"
                )
                seconds = await verify(url, args.entries)
                print(
                    f"verify (service, page 1000): {args.entries:,} entries in {seconds:,.1f} s "
                    f"= {args.entries / seconds:,.0f} entries/s"
                )
                if args.export:
                    exported, checked = await export_and_verify(url, last)
                    print(
                        f"export to NDJSON: {exported:,.1f} s; standalone verifier: "
                        f"{checked:,.1f} s = {args.entries / checked:,.0f} entries/s"
                    )
        finally:
            await drop_database(ADMIN, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appends", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32, help="appends per transaction")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--no-export", dest="export", action="store_false")
    asyncio.run(main(parser.parse_args()))
