"""Pure ASGI middleware: request id, unhandled errors, body size limit, request metrics.

Pure ASGI (not ``BaseHTTPMiddleware``) so the endpoint runs in the caller's context —
context variables bound here are seen by the handler — and bodies are streamed, not buffered.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any, Final

import structlog
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huiyin_shared.http.handlers import unexpected_error_response
from huiyin_shared.http.problems import problem_response, status_slug, status_title
from huiyin_shared.logging import bind_correlation
from huiyin_shared.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS

log = structlog.get_logger(__name__)

REQUEST_ID_HEADER: Final = "X-Request-ID"
UNMATCHED_ROUTE: Final = "<unmatched>"
UNMETERED_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})

_SANE_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")
_METHODS: Final = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _path_in_app(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root_path: str = scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


class RequestIdMiddleware:
    """Adopt a sane incoming ``X-Request-ID`` or make one; bind it as the correlation id
    for the request's duration, store it in ``scope["state"]``, echo it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        if incoming is not None and _SANE_REQUEST_ID.fullmatch(incoming):
            request_id = incoming
        else:
            request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                headers[REQUEST_ID_HEADER] = request_id
                message["headers"] = headers.raw
            await send(message)

        previous = structlog.contextvars.get_contextvars()
        bind_correlation(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.clear_contextvars()
            structlog.contextvars.bind_contextvars(**previous)


class UnhandledErrorMiddleware:
    """Turn any exception that escaped the handlers into a problem (500, or 503 for an
    unreachable database), logged with the request's correlation id; the body never shows
    the exception."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                log.exception(
                    "http.unhandled_exception", method=scope["method"], path=scope["path"]
                )
                raise  # too late for a problem response: let the server drop the connection
            await unexpected_error_response(scope, exc)(scope, receive, send)


class RequestBodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"The request body exceeds the limit of {limit} bytes.")


class BodyLimitMiddleware:
    """Refuse bodies over ``max_body_bytes`` with 413: at once when ``Content-Length``
    says so, else as soon as the streamed (chunked) body passes the limit."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, RequestBodyTooLarge(limit))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestBodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestBodyTooLarge as exc:
            if started:
                raise
            await self._refuse(scope, receive, send, exc)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: HTTPException) -> None:
        response = problem_response(
            scope,
            status=413,
            slug=status_slug(413),
            title=status_title(413),
            detail=str(exc.detail),
        )
        await response(scope, receive, send)


def route_template(scope: Scope, root_path: str = "") -> str | None:
    """The path template of the route that handled the request (``/v1/things/{id}``).

    FastAPI ≥ 0.165 includes routers lazily: ``scope["route"]`` is then the router's own
    route, without the prefixes of the routers it was included in; the full template is on
    the effective route context FastAPI records beside it.
    """
    route = scope.get("route")
    if route is None:
        return None
    template: Any = None
    fastapi_scope = scope.get("fastapi")
    if isinstance(fastapi_scope, Mapping):
        context = fastapi_scope.get("effective_route_context")
        if getattr(context, "original_route", None) is route:
            template = getattr(context, "path_format", None)
    if not isinstance(template, str):
        template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str):
        return None
    # Inside a mounted app the mount's prefix has been added to root_path.
    mounted: str = scope.get("root_path", "")
    prefix = mounted[len(root_path) :] if mounted.startswith(root_path) else ""
    return prefix + template


class MetricsMiddleware:
    """Count and time requests by service, method, route template and status."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _path_in_app(scope) in UNMETERED_PATHS:
            await self.app(scope, receive, send)
            return
        root_path: str = scope.get("root_path", "")
        status: int | None = None
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = route_template(scope, root_path) or UNMATCHED_ROUTE
            HTTP_REQUESTS.labels(self.service, method, route, str(status or 500)).inc()
            HTTP_REQUEST_DURATION.labels(self.service, method, route).observe(
                time.perf_counter() - started
            )
