"""End-to-end benchmark: portal POST → accepted → routed → "case opened with due dates".

    uv run python bench/e2e.py [--petitions 200] [--rate 10] [--raw-seconds 3]

Starts the four services as real processes (the end-to-end tests' harness: own databases,
own broker names, removed afterwards), then offers petitions at a fixed rate from a
portal, each accepted by a clerk at once, and times each one from its POST to the moment
``case.opened`` for it reaches a queue of the benchmark's own, bound to the run's
exchange. Prints the offered and sustained rates, p50/p95/p99 latency, and beside them the
raw limits measured in the same run: the "HTTP + one INSERT" rate of the same stack (the
raw app of ``bench/intake.py``: uvicorn, FastAPI, SQLAlchemy async, asyncpg, the kit's
pool), PostgreSQL single-row commits through the same driver (asyncpg) and RabbitMQ
confirmed publishes. Both loads, the suite's and the raw app's, come from the same light
client (``LightClient``), so that the load generator takes as little as it can from
either. The machine's CPU per raw request is measured too, and each run's CPU per petition
is also given in raw requests: where the suite and the raw app both fill the machine,
sustained / raw comes to about one over that figure. Each run also tells where the CPU
went (each service's, PostgreSQL's, RabbitMQ's and this load generator's CPU time per
petition, and how many of the machine's cores were busy) and where the wait after the
acceptance went: each relay's share (from the moment its producer says an event occurred
to its arrival) and each consumer's (from the arrival of the event it reads to the moment
its own event occurred).

Figures are distorted by whatever else the machine runs; read them with its load.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake as intake_bench  # the raw "HTTP + one INSERT" app and its load generator
from tests.e2e.flow import OFFICE, wage_petition
from tests.e2e.harness import Suite, bearer, token

from huiyin_shared.http.auth import StaffRole
from huiyin_shared.testing.infrastructure import create_database, drop_database

ADMIN = os.environ.get("HUIYIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP = os.environ.get("HUIYIN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
CLIENTS = 32


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def postgres_commit_rate(seconds: float) -> float:
    connection = await asyncpg.connect(ADMIN)
    table = f"bench_commit_{uuid.uuid4().hex[:8]}"
    try:
        await connection.execute(f"CREATE TEMP TABLE {table} (id uuid primary key, at float8)")
        done, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            async with connection.transaction():
                await connection.execute(
                    f"INSERT INTO {table} VALUES ($1, $2)", uuid.uuid4(), time.time()
                )
            done += 1
        return done / seconds
    finally:
        await connection.close()


async def rabbitmq_confirmed_publish_rate(seconds: float) -> float:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(exclusive=True)
        done, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            await channel.default_exchange.publish(
                aio_pika.Message(b"{}", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=queue.name,
            )
            done += 1
        return done / seconds


class LightClient:
    """HTTP/1.1 with keep-alive over the standard library's ``http.client``, one connection
    per thread. The load generator shares the machine with what it measures, and per
    request this costs a fifth of the CPU httpx does (0.4 ms against 1.9 ms here), so it
    takes that much less from the suite and from the raw app alike."""

    def __init__(self, base_url: str, headers: Mapping[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._prefix = parts.path.rstrip("/")
        self._headers = {"Content-Type": "application/json", **(headers or {})}
        self._local = threading.local()

    def post(self, path: str, body: object, headers: dict[str, str] | None = None) -> Any:
        """The JSON answer of a POST that must succeed (2xx)."""
        data = json.dumps(body).encode()
        every = self._headers | (headers or {})
        try:
            status, answer = self._send(self._prefix + path, data, every)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed a connection idle past its keep-alive before it read this
            # request: send it once more, on a new one.
            status, answer = self._send(self._prefix + path, data, every)
        if not 200 <= status < 300:
            raise RuntimeError(f"POST {path} -> {status}: {answer[:300]!r}")
        return json.loads(answer) if answer else None

    def _send(self, path: str, data: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
            self._local.connection = connection
        try:
            connection.request("POST", path, body=data, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        except Exception:
            connection.close()
            self._local.connection = None
            raise


@dataclass(frozen=True)
class Raw:
    """The raw app's rate, and the machine's CPU it took per request (load generator,
    server and PostgreSQL together; NaN where ``/proc`` is not available)."""

    rate: float
    cpu_per_request: float


def raw_http_insert_rate(requests: int, concurrency: int = 16) -> Raw:
    """The raw app (one INSERT per POST) on a throw-away database."""
    name = f"huiyin_bench_raw_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(create_database(ADMIN, name))
    port = intake_bench.free_port()
    server = subprocess.Popen(
        [sys.executable, intake_bench.__file__, "--serve-raw", str(port), url]
    )
    try:
        intake_bench.wait_ready(f"http://127.0.0.1:{port}/ready", server)
        rng = random.Random(7)
        bodies = [intake_bench.body(rng) for _ in range(requests)]
        client = LightClient(f"http://127.0.0.1:{port}")

        def insert_all(count: int) -> float:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                list(pool.map(lambda n: client.post("/raw", bodies[n]), range(count)))
            return count / (time.perf_counter() - started)

        insert_all(min(200, requests))
        before = machine_cpu().get("busy", math.nan)
        rate = insert_all(requests)
        return Raw(rate, (machine_cpu().get("busy", math.nan) - before) / requests)
    finally:
        server.terminate()
        server.wait(timeout=20)
        asyncio.run(drop_database(ADMIN, name))


HOPS = ("petition.accepted", "petition.routed", "case.opened")
"""The events between the clerk's acceptance and the case, one per hop of the flow."""


class CaseWatcher:
    """Records, on a queue of our own, when each hop's event arrives for each petition and
    when its producer says it occurred, so that the wait after the acceptance splits into
    each relay's and each consumer's share."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.arrived: dict[str, dict[str, float]] = {hop: {} for hop in HOPS}
        self.occurred: dict[str, dict[str, float]] = {hop: {} for hop in HOPS}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    @property
    def opened_at(self) -> dict[str, float]:
        return self.arrived["case.opened"]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    async def _run(self) -> None:
        connection = await aio_pika.connect(self.suite.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(exclusive=True)
            for hop in HOPS:
                await queue.bind(self.suite.exchange, routing_key=hop)
            async with queue.iterator() as messages:
                async for message in messages:
                    await message.ack()
                    envelope = json.loads(message.body)
                    petition_id = envelope["data"]["petition_id"]
                    self.arrived[envelope["type"]].setdefault(petition_id, time.time())
                    self.occurred[envelope["type"]].setdefault(
                        petition_id, datetime.fromisoformat(envelope["occurred_at"]).timestamp()
                    )
                    if self._stop.is_set():
                        return

    def hops(self, petitions: list[str]) -> dict[str, list[float]]:
        """Seconds each step after the acceptance took, for the petitions seen whole."""
        arrived, occurred = self.arrived, self.occurred
        whole = [p for p in petitions if all(p in arrived[hop] for hop in HOPS)]
        accepted, routed, opened = HOPS
        return {
            "intake relay": [arrived[accepted][p] - occurred[accepted][p] for p in whole],
            "routing": [occurred[routed][p] - arrived[accepted][p] for p in whole],
            "routing relay": [arrived[routed][p] - occurred[routed][p] for p in whole],
            "supervision": [occurred[opened][p] - arrived[routed][p] for p in whole],
            "supervision relay": [arrived[opened][p] - occurred[opened][p] for p in whole],
        }


def services_cpu(suite: Suite) -> dict[str, float]:
    """Each running service's CPU seconds so far; empty where ``/proc`` is not available."""
    if not Path("/proc/self/stat").exists():
        return {}
    return {
        name: intake_bench.cpu_seconds(svc.process.pid)
        for name, svc in suite.services.items()
        if svc.process is not None
    }


def _server_of(command: str) -> str | None:
    if command.startswith("postgres"):  # the postmaster and its backends ("postgres: …")
        return "PostgreSQL"
    if "beam.smp" in command and "rabbit" in command:
        return "RabbitMQ"
    return None


def machine_cpu() -> dict[str, float]:
    """CPU seconds so far of what else the suite needs on this machine: PostgreSQL's and
    RabbitMQ's processes, this benchmark (the portal and the clerks), and the machine as a
    whole (``busy``, every core); empty where ``/proc`` is not available."""
    proc = Path("/proc")
    if not (proc / "stat").exists():
        return {}
    ticks = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    times = [int(v) for v in (proc / "stat").read_text().split("\n", 1)[0].split()[1:9]]
    seconds = {"busy": (sum(times) - times[3] - times[4]) / ticks}
    seconds["load generator"] = intake_bench.cpu_seconds(os.getpid())
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        server = _server_of(command)
        if server is not None:
            seconds[server] = seconds.get(server, 0.0) + intake_bench.cpu_seconds(int(entry.name))
    return seconds


@dataclass
class Run:
    """One offering: when each petition was posted, registered and accepted (the answers
    seen by the portal and the clerk), and when its case opened (``time.time()``)."""

    posted: dict[str, float] = field(default_factory=dict)
    registered: dict[str, float] = field(default_factory=dict)
    accepted: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    machine: dict[str, float] = field(default_factory=dict)
    """CPU seconds of PostgreSQL, RabbitMQ, the load generator and the whole machine."""
    began: float = 0.0
    seconds: float = 0.0
    """From the first POST until the last case opened and the services settled."""


def offer(suite: Suite, portal_key: str, petitions: int, rate: float, *, first: int = 0) -> Run:
    """Submit and accept petitions at the offered rate, open loop (a slow answer does not
    delay the next petition: clients in parallel). Each comes from a petitioner of its own
    (numbered from ``first``): two with the same phone and topic would be one repeat."""
    run = Run(began=time.time())
    portal = LightClient(f"{suite.url('intake')}/v1/portal", {"X-API-Key": portal_key})
    clerk = LightClient(suite.url("intake"), bearer(token("clerk-01", OFFICE, StaffRole.CLERK)))
    start = time.monotonic()

    def one(number: int) -> None:
        pause = start + number / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        posted = time.time()
        petition = portal.post(
            "/petitions",
            wage_petition(
                summary=f"基准测试第{number}件：拖欠工资",
                identity={"name": "王某", "phone": f"139{first + number:08d}"},
            ),
            {"Idempotency-Key": str(uuid.uuid4())},
        )
        registered = time.time()
        petition_id = petition["petition_id"]
        decided = clerk.post(f"/v1/petitions/{petition_id}/decision", {"decision": "accept"})
        assert decided["status"] == "accepted", decided
        run.accepted[petition_id] = time.time()
        run.registered[petition_id] = registered
        run.posted[petition_id] = posted

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for future in [pool.submit(one, n) for n in range(petitions)]:
            future.result()
    return run


def report(run: Run, watcher: CaseWatcher, petitions: int, raw: Raw) -> tuple[float, float]:
    """Print one run's figures; returns its sustained rate and its p99 in milliseconds."""
    opened = watcher.opened_at
    done = [p for p in run.posted if p in opened]
    ms = [1000 * (opened[p] - run.posted[p]) for p in done]
    finished = max((opened[p] for p in done), default=run.began)
    print(f"cases opened: {len(done)} of {petitions}")
    sustained = len(done) / max(finished - run.began, 1e-9)
    print(f"sustained: {sustained:.1f} petitions/s to case opened")
    print(
        f"latency POST → case opened: p50 {percentile(ms, 0.5):.0f} ms, "
        f"p95 {percentile(ms, 0.95):.0f} ms, p99 {percentile(ms, 0.99):.0f} ms"
    )
    stages = {
        "POST answered": [run.registered[p] - run.posted[p] for p in done],
        "acceptance answered": [run.accepted[p] - run.registered[p] for p in done],
        "then case opened": [opened[p] - run.accepted[p] for p in done],
    }
    for heading, split in (
        ("  of which, p50/p99: ", stages),
        ("  then, p50/p99: ", watcher.hops(done)),
    ):
        print(
            heading
            + ", ".join(
                f"{name} {1000 * percentile(v, 0.5):.0f}/{1000 * percentile(v, 0.99):.0f} ms"
                for name, v in split.items()
            )
        )
    if run.cpu:
        per = {n: 1000 * c / petitions for n, c in run.cpu.items()}
        print(
            f"service CPU per petition: {sum(per.values()):.1f} ms ("
            + ", ".join(f"{n} {v:.1f}" for n, v in per.items())
            + ")"
        )
    if run.machine and run.seconds:
        busy = run.machine.pop("busy")
        servers = {n: 1000 * c / petitions for n, c in run.machine.items()}
        print(
            f"machine: {busy / run.seconds:.2f} of {os.cpu_count()} cores busy, "
            f"{1000 * busy / petitions:.1f} ms per petition "
            f"(the CPU of {busy / petitions / raw.cpu_per_request:.1f} raw requests); "
            "of it besides the services: " + ", ".join(f"{n} {v:.1f}" for n, v in servers.items())
        )
    return sustained, percentile(ms, 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="petitions offered per second")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="offer the petitions this many times on the same suite, each run reported",
    )
    parser.add_argument("--raw-seconds", type=float, default=3.0)
    parser.add_argument("--raw-requests", type=int, default=2000)
    parser.add_argument(
        "--pool-size",
        type=int,
        default=None,
        help="DATABASE_POOL_SIZE for every service (default: each service's own)",
    )
    parser.add_argument(
        "--set",
        type=lambda text: tuple(text.split("=", 1)),
        action="append",
        default=[],
        metavar="[SERVICE:]SETTING=VALUE",
        help="a setting for every service, without its prefix (CONSUMER_CONCURRENCY=2), "
        "or for one (routing:CONSUMER_CONCURRENCY=2)",
    )
    args = parser.parse_args()

    raw_http = raw_http_insert_rate(args.raw_requests)
    raw_pg = asyncio.run(postgres_commit_rate(args.raw_seconds))
    raw_mq = asyncio.run(rabbitmq_confirmed_publish_rate(args.raw_seconds))

    suite = Suite(
        workdir=Path(tempfile.mkdtemp(prefix="huiyin-bench-")),
        postgres_url=ADMIN,
        amqp_url=AMQP,
        # As in production: each service's default pool, not the tests' smaller one; the
        # system clock (the tests' shared clock file is read on every "now"); the default
        # intervals of relay polls and timers (the tests' look every second or faster).
        overrides={
            "DATABASE_POOL_SIZE": None if args.pool_size is None else str(args.pool_size),
            "CLOCK_CONTROL_FILE": None,
            "RELAY_POLL_INTERVAL_SECONDS": None,
            "BROKER_RETRY_MAX_SECONDS": None,
            "SWEEP_INTERVAL_SECONDS": None,
            "TIMER_INTERVAL_SECONDS": None,
        }
        | dict(args.set),
    )
    print(
        f"offered: {args.petitions} petitions at {args.rate:.1f}/s, open loop, "
        f"up to {CLIENTS} clients (portal POST, then the clerk's acceptance)"
    )
    p99s: list[float] = []
    sustained = 0.0
    try:
        suite.launch()
        portal_key = suite.issue_portal_key("bench", OFFICE)
        watcher = CaseWatcher(suite)
        watcher.start()
        for number in range(1, args.runs + 1):
            cpu_before, machine_before = services_cpu(suite), machine_cpu()
            run = offer(
                suite, portal_key, args.petitions, args.rate, first=(number - 1) * args.petitions
            )
            deadline = time.monotonic() + 120
            while not run.posted.keys() <= watcher.opened_at.keys():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            # Accountability works on after the case opens (ledger, trigger facts); let it
            # finish so its CPU counts whole petitions.
            time.sleep(2)
            run.cpu = {n: c - cpu_before[n] for n, c in services_cpu(suite).items()}
            run.machine = {n: c - machine_before.get(n, 0.0) for n, c in machine_cpu().items()}
            run.seconds = time.time() - run.began
            if args.runs > 1:
                print(f"run {number} of {args.runs}:")
            rate, p99 = report(run, watcher, args.petitions, raw_http)
            sustained = max(sustained, rate)
            p99s.append(p99)
        watcher.stop()
    finally:
        suite.destroy()

    if args.runs > 1:
        print(
            f"p99 over {args.runs} runs: " + ", ".join(f"{v:.0f}" for v in p99s) + " ms; "
            f"median {statistics.median(p99s):.0f} ms"
        )
    print(
        f"raw HTTP + one INSERT, same stack, 16 clients: {raw_http.rate:.0f} req/s, "
        f"{1000 * raw_http.cpu_per_request:.1f} ms of the machine's CPU each "
        f"(sustained / raw: {sustained / raw_http.rate:.2f})"
    )
    print(f"raw PostgreSQL single-row commits (asyncpg): {raw_pg:.0f}/s")
    print(f"raw RabbitMQ confirmed publishes (aio-pika): {raw_mq:.0f}/s")


if __name__ == "__main__":
    main()
