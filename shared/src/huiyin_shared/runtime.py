"""Running a service: one command line for all four services.

    huiyin-<svc> serve   [--no-consumers] [--no-relay]   HTTP API + consumers + outbox relay
    huiyin-<svc> worker  [--no-consumers] [--no-relay]   consumers + relay, HTTP for probes only
    huiyin-<svc> migrate                                  apply the database migrations
    huiyin-<svc> <command> …                              a service's own admin command

Every mode serves ``/healthz``, ``/readyz`` and ``/metrics`` so each process can be probed
and scraped. Several processes of one service may run at once (see docs/operations.md).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import structlog
import uvicorn
from fastapi import APIRouter, FastAPI
from sqlalchemy.engine import make_url

from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.app import create_app
from huiyin_shared.logging import configure_logging
from huiyin_shared.platform import Platform
from huiyin_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)

S = TypeVar("S", bound=ServiceSettings)
KIT_COMMANDS = frozenset({"serve", "worker", "migrate"})


@dataclass
class ServiceApp:
    """What a service's bootstrap hands to the runtime."""

    platform: Platform
    title: str
    version: str
    description: str = ""
    routers: Sequence[APIRouter] = field(default_factory=tuple)


Bootstrap = Callable[..., ServiceApp]
"""``bootstrap(settings, *, consumers: bool) -> ServiceApp``."""


@dataclass(frozen=True)
class Command(Generic[S]):
    """A service's own subcommand (an admin task) beside serve, worker and migrate.

    ``run(settings, argv)`` gets the arguments after the command's name, parses them itself
    and returns the exit status. Its standard output is its result (scripts read it); the
    kit sends the log lines to standard error.
    """

    help: str
    run: Callable[[S, Sequence[str]], int]


def build_app(service: ServiceApp, *, with_routes: bool = True, relay: bool = True) -> FastAPI:
    """The ASGI app; its lifespan starts and stops the broker, consumers and relay."""
    platform = service.platform

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await platform.start(relay=relay)
        log.info(
            "service.started",
            consumers=[c.queue_name for c in platform.consumers],
            relay=relay,
        )
        try:
            yield
        finally:
            await platform.stop()
            log.info("service.stopped")

    return create_app(
        settings=platform.settings,
        title=service.title,
        version=service.version,
        description=service.description,
        routers=service.routers if with_routes else (),
        readiness_checks={"database": platform.check_database, "broker": platform.broker.check},
        lifespan=lifespan,
        clock=platform.clock,
    )


def run_cli(
    *,
    settings_type: type[S],
    bootstrap: Bootstrap,
    package: str,
    argv: Sequence[str] | None = None,
    commands: Mapping[str, Command[S]] | None = None,
) -> None:
    """Parse the command line and run it; a service command exits with its own status."""
    own = dict(commands or {})
    if clash := KIT_COMMANDS & own.keys():
        raise ValueError(f"service commands may not replace the kit's: {sorted(clash)}")
    args_in = list(sys.argv[1:] if argv is None else argv)
    settings = settings_type()
    if args_in and args_in[0] in own:
        configure_logging(
            service=settings.service_name,
            fmt=settings.log_format,
            level=settings.log_level,
            stream=sys.stderr,
        )
        raise SystemExit(own[args_in[0]].run(settings, args_in[1:]))

    parser = argparse.ArgumentParser(prog=f"huiyin-{settings.service_name}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (
        ("serve", "HTTP API, event consumers and outbox relay"),
        ("worker", "event consumers and outbox relay; HTTP only for probes and metrics"),
    ):
        sub = subcommands.add_parser(name, help=help_text)
        sub.add_argument("--no-consumers", action="store_true", help="do not consume events")
        sub.add_argument("--no-relay", action="store_true", help="do not relay the outbox")
    subcommands.add_parser("migrate", help="apply database migrations and exit")
    for name, extra in own.items():
        # Listed for --help; dispatched above, before this parser sees their arguments.
        subcommands.add_parser(name, help=extra.help, add_help=False)
    args = parser.parse_args(args_in)
    command = args.command or "serve"

    configure_logging(
        service=settings.service_name, fmt=settings.log_format, level=settings.log_level
    )
    if command == "migrate":
        upgrade(package, settings.sqlalchemy_url())
        log.info("service.migrated", database=_safe_url(settings))
        return

    _guard_development_keys(settings)
    consumers = not getattr(args, "no_consumers", False)
    relay = not getattr(args, "no_relay", False)
    service = bootstrap(settings, consumers=consumers)
    app = build_app(service, with_routes=command == "serve", relay=relay)
    settle_garbage_collector()
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


GC_YOUNGEST_THRESHOLD = 10_000
"""New objects between two collections of the youngest generation (Python's default: 700)."""


def settle_garbage_collector() -> None:
    """Freeze what start-up built (modules, schemas, the app), which lives as long as the
    process, out of the collector's scans, and collect the youngest generation less often.

    Every request makes hundreds of objects, so at the defaults the collector ran every few
    requests and each full collection walked the whole start-up heap: measured on intake's
    benchmark, a quarter of a millisecond of CPU per submission and pauses that showed at
    p99. Only for a service's own process: a test process starts many apps, and freezing
    each would keep their garbage for good.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNGEST_THRESHOLD, *gc.get_threshold()[1:])


def _guard_development_keys(settings: ServiceSettings) -> None:
    """Never serve silently on keys anyone can read in the source."""
    found = settings.development_secrets()
    if not found:
        return
    prefix = settings.model_config.get("env_prefix", "")
    names = [f"{prefix}{name.upper()}" for name in found]
    if settings.refuse_development_keys:
        log.error("service.development_keys_refused", settings=names)
        raise SystemExit(f"refusing to start: development defaults for {', '.join(names)}")
    log.warning("service.development_keys", settings=names)


def _safe_url(settings: ServiceSettings) -> str:
    return make_url(settings.sqlalchemy_url()).render_as_string(hide_password=True)
