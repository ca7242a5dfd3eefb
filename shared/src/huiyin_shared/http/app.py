"""The application factory every service builds its HTTP API with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.types import Lifespan

from huiyin_shared.clock import Clock, ControlledClock, clock_from_settings
from huiyin_shared.http.clock_control import clock_control_router
from huiyin_shared.http.handlers import install_exception_handlers
from huiyin_shared.http.health import READINESS_TIMEOUT_SECONDS, ReadinessCheck, health_router
from huiyin_shared.http.middleware import (
    BodyLimitMiddleware,
    MetricsMiddleware,
    RequestIdMiddleware,
    UnhandledErrorMiddleware,
)
from huiyin_shared.http.problems import openapi_responses, use_problem_media_type
from huiyin_shared.settings import ServiceSettings

_NO_CHECKS: Mapping[str, ReadinessCheck] = MappingProxyType({})


class HuiyinApp(FastAPI):
    """FastAPI whose OpenAPI document serves problems as ``application/problem+json``."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = use_problem_media_type(super().openapi())
        return self.openapi_schema


def create_app(
    *,
    settings: ServiceSettings,
    title: str,
    version: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    readiness_checks: Mapping[str, ReadinessCheck] = _NO_CHECKS,
    lifespan: Lifespan[FastAPI] | None = None,
    clock: Clock | None = None,
    readiness_timeout: float = READINESS_TIMEOUT_SECONDS,
) -> FastAPI:
    """Build a service's app: problem responses, request id, body limit, metrics, probes.

    ``clock`` defaults to the one the settings name; a :class:`ControlledClock` also
    mounts ``/_control/clock`` (tests and demos only). ``app.state`` holds ``settings``
    and ``clock``.
    """
    clock = clock if clock is not None else clock_from_settings(settings.clock_control_file)
    app = HuiyinApp(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        responses=openapi_responses(),
    )
    app.state.settings = settings
    app.state.clock = clock
    install_exception_handlers(app)

    app.include_router(health_router(dict(readiness_checks), timeout=readiness_timeout))
    if isinstance(clock, ControlledClock):
        app.include_router(clock_control_router(clock))
    for router in routers:
        app.include_router(router)

    # Each add wraps the previous ones: the request id is outermost, so every response
    # (413s and 500s included) carries it and every log line of the request has it.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(RequestIdMiddleware)
    return app
