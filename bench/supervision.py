"""Supervision benchmark: the timer sweep with many open cases, on the real PostgreSQL.

    uv run python bench/supervision.py [--open 100000 1000000] [--due-share 0.01] [--fire]

For each size: a throw-away database with that many open cases, each with a running
resolve clock whose timer lies in the future, except ``due-share`` of them whose timer is
due now. Then it times the sweep's claim query (``FOR UPDATE SKIP LOCKED`` on the partial
index over ``next_fire_at``) finding every due timer in batches of 500, and prints the
query plan of one batch. The cost follows what is due, not what is open: the figures at
both sizes should be close. The database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from huiyin_shared.calendar import BusinessCalendar, CountingMode
from huiyin_shared.contracts.events.common import ClockName
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.platform import Platform
from huiyin_shared.testing.infrastructure import create_database, drop_database
from huiyin_supervision.case_repository import CaseRepository
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.sweep import sweep
from huiyin_supervision.config import SupervisionSettings
from huiyin_supervision.db import messaging
from huiyin_supervision.domain import explanation
from huiyin_supervision.domain.deadlines import ClockSpec, compute, spec_to_json
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

ADMIN = os.environ.get("HUIYIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)

_CASES = """
INSERT INTO cases (case_id, petition_id, decision_id, office_id, registration_number, unit_id,
    unit_name, division_code, role, mode, deadline_class, kind, subject_category, collective,
    status, escalation_level, opened_at)
SELECT md5('c' || i)::uuid, md5('p' || i)::uuid, md5('d' || i)::uuid, 'office-1',
    'XF-' || i, 'unit-' || (i % 200), 'Unit ' || (i % 200), '370102', 'lead', 'assign',
    'general', 'help_request', 'labour.wages', false, 'in_progress', 'handler',
    TIMESTAMPTZ '2026-04-01 00:00+00'
FROM generate_series(1, :n) AS i
"""

_CLOCKS = """
INSERT INTO case_clocks (case_id, clock, spec, due_date, explanation, provisional, state,
    periodic, next_fire_at)
SELECT md5('c' || i)::uuid, 'resolve', CAST(:spec AS json), DATE '2026-06-01',
    CAST(:explanation AS json), false,
    'running', true,
    CASE WHEN i % :every = 0
         THEN TIMESTAMPTZ '2026-06-01 01:00+00' - (i % 97) * INTERVAL '1 minute'
         ELSE TIMESTAMPTZ '2026-06-02 01:00+00' + (i % 5000) * INTERVAL '1 hour' END
FROM generate_series(1, :n) AS i
"""

_SPEC_VALUE = ClockSpec(
    clock=ClockName.RESOLVE,
    start=date(2026, 4, 1),
    base_days=60,
    counting_mode=CountingMode.CALENDAR_DAYS,
    description="Resolution: 60 days from acceptance",
    source="002 五.3; 003",
    start_basis="bench",
)
_SPEC = json.dumps(spec_to_json(_SPEC_VALUE))
_EXPLANATION = json.dumps(
    explanation.to_json(
        compute(OfficeCalendar(BusinessCalendar(), ZoneInfo("Asia/Shanghai")), _SPEC_VALUE)
    )
)

# The repository's claim query (CaseRepository.claim_due), written out for EXPLAIN.
_CLAIM = """
SELECT * FROM case_clocks JOIN cases ON cases.case_id = case_clocks.case_id
WHERE case_clocks.next_fire_at IS NOT NULL AND case_clocks.next_fire_at <= :now
ORDER BY case_clocks.next_fire_at LIMIT :limit FOR UPDATE OF case_clocks SKIP LOCKED
"""


async def fire_all(url: str, due: int) -> None:
    """The real sweep: claim, act (reminder events into the outbox), re-arm, commit; in
    batches of 500 as the service's sweeper does."""
    settings = SupervisionSettings(database_url=url)
    platform = Platform(settings, tables=messaging)
    factory = platform.unit_of_work_factory(SupervisionUnitOfWork)
    ctx = CaseContext(office=OfficeCalendar(BusinessCalendar(), ZoneInfo("Asia/Shanghai")))
    started = time.perf_counter()
    handled = 0
    while True:
        async with factory() as uow:
            batch = await sweep(uow, ctx, now=NOW, limit=500)
            await uow.commit()
        handled += batch
        if batch < 500:
            break
    elapsed = time.perf_counter() - started
    print(
        f"  full sweep (act + outbox + re-arm): {handled:,} timers in {elapsed * 1000:.0f} ms "
        f"({elapsed / max(handled, 1) * 1000:.2f} ms per timer; {due:,} were due)"
    )
    await platform.engine.dispose()


async def run(size: int, due_share: float, *, fire: bool) -> None:
    name = f"huiyin_bench_{uuid.uuid4().hex[:10]}"
    url = await create_database(ADMIN, name)
    try:
        await asyncio.to_thread(upgrade, "huiyin_supervision", url)
        engine = create_async_engine(url)
        every = max(1, round(1 / due_share))
        started = time.perf_counter()
        async with engine.begin() as conn:
            await conn.execute(text(_CASES), {"n": size})
            await conn.execute(
                text(_CLOCKS),
                {"n": size, "every": every, "spec": _SPEC, "explanation": _EXPLANATION},
            )
        async with engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.execute(text("VACUUM ANALYZE case_clocks"))
        load = time.perf_counter() - started
        due = size // every
        async with engine.connect() as conn:
            plan = await conn.execute(
                text("EXPLAIN (ANALYZE, BUFFERS) " + _CLAIM), {"now": NOW, "limit": 500}
            )
            lines = [row[0] for row in plan]
        every_due, one_batch = [], []
        for _ in range(3):
            async with engine.connect() as conn:
                tx = await conn.begin()
                started = time.perf_counter()
                found = len(
                    (await conn.execute(text(_CLAIM), {"now": NOW, "limit": due + 1000})).all()
                )
                every_due.append(time.perf_counter() - started)
                await tx.rollback()
            async with engine.connect() as conn:
                tx = await conn.begin()
                started = time.perf_counter()
                await conn.execute(text(_CLAIM), {"now": NOW, "limit": 500})
                one_batch.append(time.perf_counter() - started)
                await tx.rollback()
        # The repository's own query, once, to show it is the one measured.
        async with engine.connect() as conn, AsyncSession(bind=conn) as session:
            first = await CaseRepository(session).claim_due(now=NOW, limit=500)
        print(
            f"open={size:>9,}  due={due:>6,}  found={found:>6,}  "
            f"claim all due: median {sorted(every_due)[1] * 1000:7.1f} ms  "
            f"claim one batch of 500: median {sorted(one_batch)[1] * 1000:6.1f} ms  "
            f"(first repository batch: {len(first)} rows; load {load:.0f} s)"
        )
        print("  plan of one batch:", " | ".join(line.strip() for line in lines[:10]))
        await engine.dispose()
        if fire:
            await fire_all(url, due)
    finally:
        await drop_database(ADMIN, name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument(
        "--fire", action="store_true", help="also run the real sweep over every due timer"
    )
    args = parser.parse_args()
    for size in args.open:
        await run(size, args.due_share, fire=args.fire)


if __name__ == "__main__":
    asyncio.run(main())
