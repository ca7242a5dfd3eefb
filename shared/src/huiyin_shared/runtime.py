"""Running a service: one command line for all four services.

    huiyin-<svc> serve   [--no-consumers] [--no-relay]   HTTP API + consumers + outbox relay
    huiyin-<svc> worker  [--no-consumers] [--no-relay]   consumers + relay, HTTP for probes only
    huiyin-<svc> migrate                                  apply the database migrations

Every mode serves ``/healthz``, ``/readyz`` and ``/metrics`` so each process can be probed
and scraped. Several processes of one service may run at once (see docs/operations.md).
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

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
    settings_type: type[ServiceSettings],
    bootstrap: Bootstrap,
    package: str,
    argv: Sequence[str] | None = None,
) -> None:
    settings = settings_type()
    parser = argparse.ArgumentParser(prog=f"huiyin-{settings.service_name}")
    commands = parser.add_subparsers(dest="command")
    for name, help_text in (
        ("serve", "HTTP API, event consumers and outbox relay"),
        ("worker", "event consumers and outbox relay; HTTP only for probes and metrics"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--no-consumers", action="store_true", help="do not consume events")
        sub.add_argument("--no-relay", action="store_true", help="do not relay the outbox")
    commands.add_parser("migrate", help="apply database migrations and exit")
    args = parser.parse_args(argv)
    command = args.command or "serve"

    configure_logging(
        service=settings.service_name, fmt=settings.log_format, level=settings.log_level
    )
    if command == "migrate":
        upgrade(package, settings.sqlalchemy_url())
        log.info("service.migrated", database=_safe_url(settings))
        return

    consumers = not getattr(args, "no_consumers", False)
    relay = not getattr(args, "no_relay", False)
    service = bootstrap(settings, consumers=consumers)
    app = build_app(service, with_routes=command == "serve", relay=relay)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


def _safe_url(settings: ServiceSettings) -> str:
    return make_url(settings.sqlalchemy_url()).render_as_string(hide_password=True)
