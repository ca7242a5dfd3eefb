"""Messaging benchmark: outbox → relay → RabbitMQ → consumer → inbox, on the real servers.

    uv run python bench/messaging.py [--events 5000] [--paced-rate 200]

Prints two figures:
1. throughput: a backlog of N committed outbox rows drained through the relay and the
   consumer (each event applied with its inbox row in one transaction), events/s;
2. latency per hop at a paced load: commit → broker confirm (relay hop) and broker confirm
   → consumer commit (consumer hop), p50/p95/p99 in milliseconds.

It uses a throw-away database and uniquely named exchange/queues, and removes them after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import datetime

from sqlalchemy import select

from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.uow import UnitOfWork
from huiyin_shared.platform import Platform
from huiyin_shared.testing import probe
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.infrastructure import create_database, drop_database

ADMIN = os.environ.get("HUIYIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP = os.environ.get("HUIYIN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(events: int, paced_rate: float) -> None:
    name = f"huiyin_bench_{uuid.uuid4().hex[:8]}"
    url = await create_database(ADMIN, name)
    ns = BrokerNamespace(amqp_url=AMQP, prefix=f"bench{uuid.uuid4().hex[:6]}")
    consumed_at: dict[int, float] = {}

    async def handler(event: probe.Ping, envelope: Envelope, uow: UnitOfWork) -> None:
        await probe.record_effect(event, envelope, uow)
        uow.session.info.setdefault("done", []).append(event.n)

    class TimingUoW(UnitOfWork):
        async def commit(self) -> None:
            await super().commit()
            for n in self.session.info.pop("done", []):
                consumed_at[n] = time.time()

    platform = Platform(
        probe.probe_settings(
            database_url=url, amqp_url=AMQP, exchange=ns.exchange, prefix=ns.prefix
        ),
        tables=probe.tables,
    )
    platform.add_consumer(
        "bench.effects",
        {"testing.ping": handler},
        lambda: TimingUoW(platform.sessions, platform.outbox, relay=platform.relay),
    )
    ns.queue("bench.effects")
    try:
        await probe.create_schema(platform)

        # 1. Throughput: drain a committed backlog.
        await probe.publish_pings(platform, range(events), per_transaction=100)
        started = time.perf_counter()
        await platform.start()

        async def drained() -> bool:
            return len(consumed_at) >= events

        await probe.eventually(drained, timeout=600, interval=0.05)
        elapsed = time.perf_counter() - started
        print(
            f"throughput: {events} events drained in {elapsed:.2f} s = {events / elapsed:,.0f} events/s"
        )

        # 2. Latency per hop at a paced load, one event per transaction.
        paced = min(events, int(paced_rate * 10))
        committed_at: dict[int, float] = {}
        base = events
        interval = 1.0 / paced_rate
        next_at = time.perf_counter()
        for i in range(paced):
            n = base + i
            async with platform.unit_of_work() as uow:
                await uow.publish(probe.Ping(n=n), subject=f"ping:{n}")
                await uow.commit()
            committed_at[n] = time.time()
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

        async def all_consumed() -> bool:
            return all(n in consumed_at for n in committed_at)

        await probe.eventually(all_consumed, timeout=120, interval=0.05)
        outbox = platform.tables.outbox
        async with platform.sessions() as session:
            rows = (
                await session.execute(
                    select(outbox.c.envelope, outbox.c.sent_at).where(outbox.c.sent_at.is_not(None))
                )
            ).all()
        sent_at: dict[int, datetime] = {}
        for row in rows:
            envelope = Envelope.model_validate_json(row.envelope)
            n = int(envelope.data["n"])
            if n in committed_at:
                sent_at[n] = row.sent_at
        relay_ms = [(sent_at[n].timestamp() - committed_at[n]) * 1000 for n in committed_at]
        consumer_ms = [(consumed_at[n] - sent_at[n].timestamp()) * 1000 for n in committed_at]
        total_ms = [(consumed_at[n] - committed_at[n]) * 1000 for n in committed_at]
        print(f"latency at {paced_rate:.0f} events/s offered, {paced} events, one per transaction:")
        for label, values in (
            ("commit -> broker confirm (relay hop)", relay_ms),
            ("confirm -> consumer commit (consumer hop)", consumer_ms),
            ("commit -> consumer commit (total)", total_ms),
        ):
            print(
                f"  {label:42s} p50 {percentile(values, 0.50):6.1f} ms"
                f"  p95 {percentile(values, 0.95):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms"
                f"  mean {statistics.fmean(values):6.1f} ms"
            )
    finally:
        await platform.stop()
        await ns.delete_all()
        await drop_database(ADMIN, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--paced-rate", type=float, default=200.0)
    args = parser.parse_args()
    asyncio.run(run(args.events, args.paced_rate))


if __name__ == "__main__":
    main()
