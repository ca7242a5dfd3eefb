"""The four services as real processes, for the end-to-end tests.

Each run gets its own PostgreSQL database per service (created here, dropped at the end),
its own exchange and queue prefix on the broker (so runs on one machine never meet), one
controllable clock file every process reads, and a log file per process that a failing
test prints. A test may kill, stop and restart any process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import aio_pika
import httpx

from huiyin_shared.clock import ControlledClock
from huiyin_shared.http.auth import StaffRole, issue_token
from huiyin_shared.messaging.topology import (
    dead_letter_exchange_name,
    dead_letter_queue_name,
    unrouted_queue_name,
)
from huiyin_shared.testing.blackhole import Blackhole
from huiyin_shared.testing.infrastructure import create_database, drop_database

SERVICES = ("intake", "routing", "supervision", "accountability")
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 60.0
STOP_SECONDS = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(service: str, *args: str) -> list[str]:
    """The service's console script from this environment (what ``uv run`` would run)."""
    return [str(BIN / f"huiyin-{service}"), *args]


@dataclass
class ServiceProcess:
    """One service's ``serve`` process: started, probed, stopped, killed, restarted."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A one-shot command of the service (``migrate``, ``registry load …``)."""
        done = subprocess.run(
            command(self.name, *args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(f"$ huiyin-{self.name} {' '.join(args)} (exit {done.returncode})\n")
            log.write(done.stdout + done.stderr)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"huiyin-{self.name} {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}"
            )
        return done

    def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is running already")
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                command(self.name, "serve"),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self.starts += 1

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def readiness(self) -> int | None:
        """The status ``/readyz`` answers (None: no answer at all)."""
        try:
            return httpx.get(f"{self.url}/readyz", timeout=5).status_code
        except httpx.HTTPError:
            return None

    def ready(self) -> bool:
        return self.readiness() == 200

    def wait_ready(self, seconds: float = READY_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited ({self.returncode}):\n{self.log_tail()}")
            if self.ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {seconds:.0f} s:\n{self.log_tail()}")

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as a crashed machine would."""
        if self.process is not None and self.running:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped in time."""
        if self.process is None or not self.running:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self, *, kill: bool = False) -> None:
        self.kill() if kill else self.stop()
        self.start()
        self.wait_ready()

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_events(self) -> Iterator[dict[str, Any]]:
        """The JSON log lines of the process (other lines are skipped)."""
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    yield json.loads(line)


Link = Literal["database", "broker"]
LINK_SETTING: dict[Link, str] = {"database": "DATABASE_URL", "broker": "AMQP_URL"}
DEFAULT_PORTS: dict[Link, int] = {"database": 5432, "broker": 5672}


class Proxy:
    """The kit's loopback proxy (pass, blackhole, refuse) on an event loop of its own thread,
    so the synchronous harness can switch it while a test drives the services."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="proxy", daemon=True)
        self._thread.start()
        self._proxy = Blackhole(target_host, target_port)
        self._run(self._proxy.start())

    @property
    def port(self) -> int:
        return self._proxy.port

    def block(self) -> None:
        """Swallow every byte, keep every connection open (a silently dropped link)."""
        self._call(self._proxy.block)

    def refuse(self) -> None:
        """Close every connection and every new one (a stopped server)."""
        self._call(self._proxy.refuse)

    def heal(self) -> None:
        self._call(self._proxy.heal)

    def close(self) -> None:
        self._run(self._proxy.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _call(self, switch: Callable[[], None]) -> None:
        async def on_loop() -> None:
            switch()

        self._run(on_loop())

    def _run(self, step: Coroutine[Any, Any, None]) -> None:
        # Returns once the step has run on the proxy's loop: the mode is in effect.
        asyncio.run_coroutine_threadsafe(step, self._loop).result(timeout=30)


def through(url: str, port: int) -> str:
    """``url`` with its host and port replaced by the proxy's on loopback."""
    parts = urlsplit(url)
    credentials, _, _ = parts.netloc.rpartition("@")
    address = f"127.0.0.1:{port}"
    return parts._replace(netloc=f"{credentials}@{address}" if credentials else address).geturl()


@dataclass
class Suite:
    """The running suite: its services, their broker namespace, the shared clock, tokens."""

    workdir: Path
    postgres_url: str
    amqp_url: str
    prefix: str = field(default_factory=lambda: f"e2e{uuid.uuid4().hex[:10]}")
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)
    taps: list[str] = field(default_factory=list)
    published: set[str] = field(default_factory=set)
    everything: str | None = None
    overrides: dict[str, str | None] = field(default_factory=dict)
    """Settings (names without the ``HUIYIN_<SVC>_`` prefix) every service gets, over the
    harness's own (None: left unset): the benchmark runs with the production pool size and
    the system clock, say. ``service:NAME`` sets NAME for that service alone."""

    @property
    def exchange(self) -> str:
        return f"{self.prefix}.events"

    @property
    def clock_file(self) -> Path:
        return self.workdir / "clock.json"

    @property
    def clock(self) -> ControlledClock:
        return ControlledClock(self.clock_file)

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def url(self, name: str) -> str:
        return self.services[name].url

    def environment(self, name: str, database_url: str, port: int) -> dict[str, str]:
        prefix = f"HUIYIN_{name.upper()}_"
        settings: dict[str, str | None] = {
            "DATABASE_URL": database_url,
            # Four processes and the tests share one server's connection slots.
            "DATABASE_POOL_SIZE": "4",
            "AMQP_URL": self.amqp_url,
            "EVENTS_EXCHANGE": self.exchange,
            "QUEUE_PREFIX": self.prefix,
            "HTTP_PORT": str(port),
            "DATA_DIR": str(self.workdir / name),
            "CLOCK_CONTROL_FILE": str(self.clock_file),
            "LOG_FORMAT": "json",
            "RELAY_POLL_INTERVAL_SECONDS": "0.5",
            "BROKER_RETRY_MAX_SECONDS": "1",
            # Timers look often, so a clock moved forward is noticed within a second or two.
            "SWEEP_INTERVAL_SECONDS": "1",
            "TIMER_INTERVAL_SECONDS": "1",
        } | {key: value for key, value in self.overrides.items() if ":" not in key}
        for key, value in self.overrides.items():
            service, _, setting = key.partition(":")
            if setting and service == name:
                settings[setting] = value
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
        env.update({prefix + key: value for key, value in settings.items() if value is not None})
        return env

    def create(self) -> None:
        """Databases, environments and log files; nothing started yet."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.clock.reset()
        for name in SERVICES:
            database = f"{self.prefix}_{name}"
            url = asyncio.run(create_database(self.postgres_url, database))
            self.databases.append(database)
            port = free_port()
            self.services[name] = ServiceProcess(
                name=name,
                port=port,
                env=self.environment(name, url, port),
                log_path=self.workdir / f"{name}.log",
            )

    def migrate(self) -> None:
        running = {
            name: subprocess.Popen(
                command(name, "migrate"),
                env=svc.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for name, svc in self.services.items()
        }
        for name, process in running.items():
            out, _ = process.communicate(timeout=180)
            self.services[name].log_path.write_bytes(out)
            if process.returncode != 0:
                raise RuntimeError(f"{name} migrate failed:\n{out.decode(errors='replace')}")

    def load_sample_registry(self) -> None:
        """The shipped 济南市 registry, as an operator loads it before opening the suite."""
        self.services["routing"].run(
            "registry", "load", "--sample", "--by", "e2e-setup", "--reason", "end-to-end run"
        )

    def issue_portal_key(self, portal: str, office: str) -> str:
        """An API key for a public portal, as an operator issues it (``huiyin-intake``)."""
        done = self.services["intake"].run(
            "portal-key",
            "issue",
            "--portal",
            portal,
            "--office",
            office,
            *("--scope", "submit", "--scope", "track", "--scope", "feedback"),
        )
        return done.stdout.strip().splitlines()[-1]

    def launch(self) -> None:
        """Databases created and migrated, the sample registry loaded, all four ready."""
        self.create()
        self.migrate()
        self.load_sample_registry()
        self.start()

    @contextlib.contextmanager
    def behind_proxy(self, name: str, link: Link, **settings: str) -> Iterator[Proxy]:
        """Restart ``name`` reaching its database or its broker through a proxy the caller
        switches (with ``settings`` of its own, e.g. ``BROKER_HEARTBEAT_SECONDS="2"``);
        afterwards it is restarted as it was."""
        svc = self.services[name]
        prefix = f"HUIYIN_{name.upper()}_"
        original = dict(svc.env)
        target = urlsplit(original[prefix + LINK_SETTING[link]])
        proxy = Proxy(target.hostname or "127.0.0.1", target.port or DEFAULT_PORTS[link])
        try:
            svc.stop()
            svc.env[prefix + LINK_SETTING[link]] = through(target.geturl(), proxy.port)
            svc.env.update({prefix + key: value for key, value in settings.items()})
            svc.start()
            svc.wait_ready()
            yield proxy
        finally:
            proxy.heal()
            svc.stop()
            svc.env = original
            proxy.close()
            svc.start()
            svc.wait_ready()

    def start(self, names: Sequence[str] = SERVICES) -> None:
        for name in names:
            self.services[name].start()
        for name in names:
            self.services[name].wait_ready()

    def stop(self) -> None:
        for svc in self.services.values():
            with contextlib.suppress(Exception):
                svc.stop()

    def destroy(self) -> None:
        self.stop()
        for database in self.databases:
            with contextlib.suppress(Exception):
                asyncio.run(drop_database(self.postgres_url, database))
        with contextlib.suppress(Exception):
            asyncio.run(self._delete_broker_names())

    def queues(self) -> list[str]:
        """Every consumer queue the services declared (from their start-up log lines)."""
        names: set[str] = set()
        for svc in self.services.values():
            for event in svc.log_events():
                if event.get("event") == "service.started":
                    names.update(event.get("consumers") or ())
        return sorted(names)

    async def _delete_broker_names(self) -> None:
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel()
            for queue in self.taps:
                await channel.queue_delete(queue)
            for queue in self.queues():
                await channel.queue_delete(queue)
                await channel.queue_delete(dead_letter_queue_name(queue))
            await channel.queue_delete(unrouted_queue_name(self.exchange))
            for exchange in (
                self.exchange,
                dead_letter_exchange_name(self.exchange),
                unrouted_queue_name(self.exchange),
            ):
                await channel.exchange_delete(exchange)

    def tap(self, name: str) -> str:
        """A queue of the test's own bound to every event on the run's exchange."""
        queue = f"{self.prefix}.tap.{name}"
        self.taps.append(queue)

        async def declare() -> None:
            connection = await aio_pika.connect(self.amqp_url)
            async with connection:
                channel = await connection.channel()
                declared = await channel.declare_queue(queue, durable=True)
                await declared.bind(self.exchange, routing_key="#")

        asyncio.run(declare())
        return queue

    def drain(self, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
        """Every message waiting in a tap, taken off it."""

        async def take() -> list[aio_pika.abc.AbstractIncomingMessage]:
            connection = await aio_pika.connect(self.amqp_url)
            taken = []
            async with connection:
                channel = await connection.channel()
                declared = await channel.get_queue(queue)
                while (message := await declared.get(no_ack=True, fail=False)) is not None:
                    taken.append(message)
            return taken

        return asyncio.run(take())

    def watch_everything(self) -> None:
        """From now on, keep a copy of every event of the run (see published_event_ids)."""
        self.everything = self.tap("everything")

    def published_event_ids(self) -> set[str]:
        """The ids of every event published since watch_everything, by any service."""
        assert self.everything is not None, "watch_everything() first"
        for message in self.drain(self.everything):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.published.add(json.loads(message.body)["id"])  # not a poison message
        return set(self.published)

    def publish_raw(self, routing_key: str, body: bytes) -> None:
        """Put bytes on the run's exchange as any broken or hostile producer could."""

        async def publish() -> None:
            connection = await aio_pika.connect(self.amqp_url)
            async with connection:
                channel = await connection.channel(publisher_confirms=True)
                exchange = await channel.get_exchange(self.exchange)
                await exchange.publish(
                    aio_pika.Message(
                        body,
                        message_id=str(uuid.uuid4()),
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=routing_key,
                )

        asyncio.run(publish())

    def queue_depth(self, queue: str) -> int:
        """Messages ready in a queue (a dead-letter queue, say)."""

        async def depth() -> int:
            connection = await aio_pika.connect(self.amqp_url)
            async with connection:
                channel = await connection.channel()
                declared = await channel.declare_queue(queue, passive=True)
                return int(declared.declaration_result.message_count or 0)

        return asyncio.run(depth())

    def logs(self) -> str:
        return "\n\n".join(
            f"===== {name} ({svc.log_path}) =====\n{svc.log_tail()}"
            for name, svc in self.services.items()
        )

    def advance_clock(self, delta: timedelta) -> None:
        """Move every process's "now" forward together."""
        self.clock.advance(delta)


class Staff:
    """HTTP clients of the suite's services, signed in as one staff member."""

    def __init__(self, suite: Suite, staff_id: str, unit: str, *roles: StaffRole) -> None:
        self.staff_id = staff_id
        self.unit = unit
        headers = bearer(token(staff_id, unit, *roles))
        self._clients = {
            name: httpx.Client(base_url=suite.url(name), headers=headers, timeout=30)
            for name in suite.services
        }

    def __getattr__(self, name: str) -> httpx.Client:
        try:
            return self._clients[name]
        except KeyError:
            raise AttributeError(name) from None

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


def token(staff_id: str, unit: str, *roles: StaffRole) -> str:
    """A staff bearer token signed with the development key the processes verify with."""
    return issue_token(staff_id=staff_id, roles=roles, unit_id=unit)


def bearer(value: str) -> Mapping[str, str]:
    return {"Authorization": f"Bearer {value}"}


def eventually(
    probe: Any,
    *,
    seconds: float = 30.0,
    interval: float = 0.2,
    what: str | Callable[[], str] = "condition",
) -> Any:
    """Polls ``probe()`` until it returns something truthy; the asynchronous flow needs it.

    Not a timing assertion: the limit only stops a broken flow from hanging the run.
    """
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    described = what() if callable(what) else what
    raise AssertionError(f"{described} not reached within {seconds:.0f} s; last: {last!r}")
