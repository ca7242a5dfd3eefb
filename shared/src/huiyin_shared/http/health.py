"""Probes and metrics: ``/healthz`` (alive), ``/readyz`` (dependencies reachable), ``/metrics``.

Kept out of the OpenAPI document and out of the request metrics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Final

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.responses import Response

from huiyin_shared.logging import describe_error

log = structlog.get_logger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]

READINESS_TIMEOUT_SECONDS: Final = 2.0
_MAX_ERROR_CHARS: Final = 200


def _describe(exc: BaseException, limit_seconds: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {limit_seconds:g}s"
    return describe_error(exc, _MAX_ERROR_CHARS)


async def _run(check: ReadinessCheck, limit_seconds: float) -> str:
    try:
        async with asyncio.timeout(limit_seconds):
            await check()
    except Exception as exc:
        return _describe(exc, limit_seconds)
    return "ok"


async def run_readiness_checks(
    checks: Mapping[str, ReadinessCheck], *, limit_seconds: float = READINESS_TIMEOUT_SECONDS
) -> dict[str, str]:
    """Run every check concurrently, each within ``limit_seconds``: ``{name: "ok" | error}``."""
    names = list(checks)
    results = await asyncio.gather(*(_run(checks[name], limit_seconds) for name in names))
    return dict(zip(names, results, strict=True))


def health_router(
    checks: Mapping[str, ReadinessCheck], *, timeout: float = READINESS_TIMEOUT_SECONDS
) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        results = await run_readiness_checks(checks, limit_seconds=timeout)
        failing = {name: result for name, result in results.items() if result != "ok"}
        if failing:
            log.warning("http.not_ready", failing=failing)
            return JSONResponse({"status": "unavailable", "checks": results}, status_code=503)
        return JSONResponse({"status": "ready", "checks": results})

    @router.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
