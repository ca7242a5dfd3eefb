"""Intake submission benchmark against PostgreSQL, one service process.

    uv run --frozen python bench/intake.py [--requests 600] [--concurrency 16] [--offices 1]

Starts, on a throw-away database:
1. the intake service (``huiyin-intake serve``, relay on, consumers off) and submits
   petitions through the portal API (API key, Idempotency-Key, a real-name identity each:
   validation, numbering, encryption, blind indexes, repeat check, outbox, timeline);
2. a raw "HTTP + one INSERT" app on the same stack (uvicorn, FastAPI, SQLAlchemy async,
   asyncpg, and the kit's engine with its pool settings), posted the same body.

Both get the same warm-up (new connections, prepared statements, compiled-statement caches)
before they are measured.

Prints submissions/s and p50/p99 latency for both, and their ratio. Registration numbers
are gapless per office and year, so one office's submissions queue on its counter row
from numbering to commit; ``--offices`` spreads them to show what that costs. Both run in this same
run on the same machine, so the ratio is meaningful even when the machine is shared; the
absolute figures are not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import aio_pika
import httpx
import uvicorn
from fastapi import FastAPI, Request
from sqlalchemy import JSON, Column, MetaData, Table, Uuid, insert

from huiyin_intake.config import IntakeSettings
from huiyin_shared.db.engine import create_engine
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import settle_garbage_collector
from huiyin_shared.testing.infrastructure import create_database, drop_database

ADMIN = os.environ.get("HUIYIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP = os.environ.get("HUIYIN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random) -> str:
    base = f"370102{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return base + "10X98765432"[sum(int(d) * w for d, w in zip(base, _WEIGHTS, strict=True)) % 11]


def body(rng: random.Random) -> dict[str, object]:
    return {
        "channel": "online",
        "kind": "help_request",
        "received_at": "2026-01-05T01:00:00+00:00",
        "anonymous": False,
        "identity": {
            "name": "测试人",
            "id_number": id_number(rng),
            "phone": f"13{rng.randint(100000000, 999999999)}",
        },
        "people_count": 1,
        "accused_unit_ids": [f"unit-{rng.randint(1, 50)}"],
        "division_code": "370102",
        "subject_category": "labour.wages",
        "summary": "某建筑公司拖欠农民工工资三个月，多次讨要未果，请求督促支付。",
        "evidence": ["工资条复印件"],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready")


async def load(
    send: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    *,
    requests: int,
    concurrency: int,
) -> tuple[float, list[float]]:
    """(requests/s, latencies in ms) of ``requests`` sends by ``concurrency`` workers."""
    latencies: list[float] = []
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            for n in counter:
                started = time.perf_counter()
                response = await send(client, n)
                if response.status_code not in {200, 201}:
                    raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return requests / elapsed, latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux ``/proc``; 0 elsewhere)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def metric(url: str, name: str) -> float:
    """A sample's value in a service's ``/metrics`` (0 when absent)."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def serve_raw(port: int, database_url: str) -> None:
    """The baseline: FastAPI + one INSERT per POST through SQLAlchemy async."""
    metadata = MetaData()
    rows = Table("bench_raw", metadata, Column("id", Uuid, primary_key=True), Column("body", JSON))
    # The same pool settings as the intake service.
    engine = create_engine(database_url, pool_size=IntakeSettings().database_pool_size)
    app = FastAPI()

    @app.get("/ready")
    async def ready() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/raw", status_code=201)
    async def raw(request: Request) -> dict[str, str]:
        row_id = uuid.uuid4()
        payload = await request.json()
        async with engine.begin() as connection:
            await connection.execute(insert(rows).values(id=row_id, body=payload))
        return {"id": str(row_id)}

    async def create() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        await engine.dispose()  # its connections belong to this loop, not uvicorn's

    asyncio.run(create())
    settle_garbage_collector()  # as a service process does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def start(requests: int, concurrency: int, offices: int) -> None:
    """Set up the database and both processes, measure, clean up."""
    name = f"huiyin_bench_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(create_database(ADMIN, name))
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        upgrade("huiyin_intake", url)
        env = {
            **os.environ,
            "HUIYIN_INTAKE_DATABASE_URL": url,
            "HUIYIN_INTAKE_AMQP_URL": AMQP,
            "HUIYIN_INTAKE_EVENTS_EXCHANGE": f"{prefix}.events",
            "HUIYIN_INTAKE_QUEUE_PREFIX": prefix,
            "HUIYIN_INTAKE_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "huiyin_intake", "portal-key", "issue"]
        keys = []
        for office in range(offices):
            options = ["--portal", f"bench-{office}", "--office", f"office-37010{office}"]
            issued = subprocess.run(
                [*command, *options, "--scope", "submit"], env=env, capture_output=True, check=True
            )
            keys.append(issued.stdout.decode().strip().splitlines()[-1])
        intake_port, raw_port = free_port(), free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "huiyin_intake", "serve", "--no-consumers"],
                env={**env, "HUIYIN_INTAKE_HTTP_PORT": str(intake_port)},
            )
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, str(Path(__file__)), "--serve-raw", str(raw_port), url], env=env
            )
        )
        wait_ready(f"http://127.0.0.1:{intake_port}/readyz", processes[0])
        wait_ready(f"http://127.0.0.1:{raw_port}/ready", processes[1])
        asyncio.run(
            measure(
                intake=f"http://127.0.0.1:{intake_port}",
                raw=f"http://127.0.0.1:{raw_port}",
                pids=(processes[0].pid, processes[1].pid),
                keys=keys,
                requests=requests,
                concurrency=concurrency,
            )
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        asyncio.run(cleanup(name, prefix))


async def cleanup(database: str, prefix: str) -> None:
    await drop_database(ADMIN, database)
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.exchange_delete(f"{prefix}.events")


async def measure(
    *,
    intake: str,
    raw: str,
    pids: tuple[int, int],
    keys: list[str],
    requests: int,
    concurrency: int,
) -> None:
    rng = random.Random(7)
    warm_up = min(50, requests)
    bodies = [body(rng) for _ in range(requests + warm_up)]

    async def submit(client: httpx.AsyncClient, n: int) -> httpx.Response:
        return await client.post(
            f"{intake}/v1/portal/petitions",
            json=bodies[n],
            headers={"X-API-Key": keys[n % len(keys)], "Idempotency-Key": f"bench-{n}"},
        )

    async def insert_one(client: httpx.AsyncClient, n: int) -> httpx.Response:
        return await client.post(f"{raw}/raw", json=bodies[n])

    async def submit_warm_up(client: httpx.AsyncClient, n: int) -> httpx.Response:
        return await submit(client, requests + n)

    await load(insert_one, requests=warm_up, concurrency=concurrency)
    await load(submit_warm_up, requests=warm_up, concurrency=concurrency)
    intake_pid, raw_pid = pids
    before = cpu_seconds(raw_pid)
    raw_rate, raw_ms = await load(insert_one, requests=requests, concurrency=concurrency)
    raw_cpu = (cpu_seconds(raw_pid) - before) / requests * 1000
    groups = await metric(intake, "huiyin_registration_group_size_count")
    grouped = await metric(intake, "huiyin_registration_group_size_sum")
    before = cpu_seconds(intake_pid)
    intake_rate, intake_ms = await load(submit, requests=requests, concurrency=concurrency)
    intake_cpu = (cpu_seconds(intake_pid) - before) / requests * 1000
    groups = await metric(intake, "huiyin_registration_group_size_count") - groups
    grouped = await metric(intake, "huiyin_registration_group_size_sum") - grouped
    print(
        f"{requests} requests, {concurrency} concurrent, one process each, PostgreSQL, "
        f"submissions spread over {len(keys)} office(s)"
    )
    for label, rate, ms, cpu in (
        ("raw HTTP + one INSERT", raw_rate, raw_ms, raw_cpu),
        ("intake portal submission", intake_rate, intake_ms, intake_cpu),
    ):
        print(
            f"  {label:<26} {rate:8.1f} req/s   p50 {pct(ms, 0.5):7.1f} ms   "
            f"p99 {pct(ms, 0.99):7.1f} ms   server CPU {cpu:5.2f} ms/request"
        )
    if groups:
        print(f"  submissions per group commit: {grouped / groups:.1f} on average")
    print(f"  intake / raw: {intake_rate / raw_rate:.2f}")
    print(json.dumps({"raw_rps": round(raw_rate, 1), "intake_rps": round(intake_rate, 1)}))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-raw":
        serve_raw(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--offices",
        type=int,
        default=1,
        help="registering offices (numbers are serialised per office and year)",
    )
    args = parser.parse_args()
    start(args.requests, args.concurrency, args.offices)


if __name__ == "__main__":
    main()
