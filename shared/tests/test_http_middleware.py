"""Request id, body size limit and request metrics."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import structlog
from fastapi import APIRouter, FastAPI, Request
from prometheus_client import REGISTRY

from huiyin_shared.http import create_app
from huiyin_shared.logging import configure_logging, current_correlation_id
from huiyin_shared.settings import ServiceSettings

MAX_BODY = 2048

seen: dict[str, Any] = {}
log = structlog.get_logger("test.handler")


def things_router() -> APIRouter:
    router = APIRouter(prefix="/v1/things")

    @router.get("/{thing_id}")
    async def read(thing_id: str) -> dict[str, str]:
        seen["correlation_id"] = current_correlation_id()
        log.info("thing.read", thing_ref=thing_id)
        return {"id": thing_id}

    @router.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        seen["upload_called"] = True
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return {"size": size}

    @router.post("/json")
    async def upload_json(body: dict[str, Any]) -> dict[str, int]:
        seen["json_called"] = True
        return {"keys": len(body)}

    @router.get("/fail/now")
    async def fail() -> None:
        raise RuntimeError("boom")

    return router


def nested_router() -> APIRouter:
    inner = APIRouter(prefix="/cases")

    @inner.get("/{case_id}/notes/{note_id}")
    async def note(case_id: str, note_id: int) -> dict[str, str]:
        return {"case": case_id}

    outer = APIRouter(prefix="/v2")
    outer.include_router(inner)
    return outer


@pytest.fixture(autouse=True)
def clean_state() -> Iterator[None]:
    seen.clear()
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging(service="middleware-test", fmt="json", level="INFO", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture
def service() -> str:
    return f"mw-{uuid.uuid4().hex[:8]}"  # a fresh label value: counters start at zero


@pytest.fixture
def app(service: str) -> FastAPI:
    settings = ServiceSettings(service_name=service, max_body_bytes=MAX_BODY)
    return create_app(
        settings=settings, title="Test", version="1", routers=[things_router(), nested_router()]
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


# --- request id -------------------------------------------------------------------------


async def test_a_sane_incoming_request_id_is_adopted_and_echoed(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/things/1", headers={"X-Request-ID": "portal-42.a_b"})

    assert response.headers["x-request-id"] == "portal-42.a_b"
    assert seen["correlation_id"] == "portal-42.a_b"


async def test_a_missing_request_id_is_generated_as_uuid4(client: httpx.AsyncClient) -> None:
    first = await client.get("/v1/things/1")
    second = await client.get("/v1/things/1")

    generated = first.headers["x-request-id"]
    assert uuid.UUID(generated).version == 4
    assert second.headers["x-request-id"] != generated
    assert seen["correlation_id"] == second.headers["x-request-id"]


@pytest.mark.parametrize("bad", ["x" * 129, "has space", "tab\there", "new\x7fline", ""])
async def test_an_insane_request_id_is_replaced(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get("/v1/things/1", headers={"X-Request-ID": bad})

    echoed = response.headers["x-request-id"]
    assert echoed != bad
    assert uuid.UUID(echoed).version == 4


async def test_the_request_id_is_in_log_lines_emitted_by_the_handler(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get("/v1/things/77", headers={"X-Request-ID": "trace-me"})

    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    [handler_line] = [line for line in lines if line["event"] == "thing.read"]
    assert handler_line["correlation_id"] == "trace-me" == response.headers["x-request-id"]
    assert handler_line["thing_ref"] == "77"


async def test_the_correlation_id_is_cleared_after_the_request(
    client: httpx.AsyncClient,
) -> None:
    structlog.contextvars.bind_contextvars(outer="kept")

    await client.get("/v1/things/1", headers={"X-Request-ID": "short-lived"})

    assert seen["correlation_id"] == "short-lived"
    assert current_correlation_id() is None
    assert structlog.contextvars.get_contextvars() == {"outer": "kept"}


async def test_error_responses_carry_the_request_id_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/things/fail/now", headers={"X-Request-ID": "err-1"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "err-1"
    assert response.json()["request_id"] == "err-1"


# --- body size limit --------------------------------------------------------------------


async def test_a_declared_content_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/things/upload", content=b"x" * (MAX_BODY + 1))

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/content-too-large"
    assert str(MAX_BODY) in body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "upload_called" not in seen


async def chunks(count: int, size: int = 1000) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"y" * size


async def test_a_chunked_body_passing_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/things/upload", content=chunks(3))

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/content-too-large"


async def test_a_chunked_json_body_passing_the_limit_is_refused_before_parsing(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/things/json", content=chunks(3), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["type"] == "/problems/content-too-large"
    assert "json_called" not in seen


async def test_bodies_within_the_limit_pass(client: httpx.AsyncClient) -> None:
    chunked = await client.post("/v1/things/upload", content=chunks(2))
    declared = await client.post("/v1/things/upload", content=b"z" * MAX_BODY)

    assert chunked.status_code == 200
    assert chunked.json() == {"size": 2000}
    assert declared.json() == {"size": MAX_BODY}


# --- metrics ----------------------------------------------------------------------------


def request_count(service: str, method: str, route: str, status: str) -> float:
    labels = {"service": service, "method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("huiyin_http_requests_total", labels) or 0.0


def routes_seen(service: str) -> set[str]:
    routes = set()
    for metric in REGISTRY.collect():
        if metric.name not in ("huiyin_http_requests", "huiyin_http_request_duration_seconds"):
            continue
        for sample in metric.samples:
            if sample.labels.get("service") == service:
                routes.add(sample.labels["route"])
    return routes


async def test_requests_are_counted_by_route_template_never_by_raw_path(
    client: httpx.AsyncClient, service: str
) -> None:
    template = "/v1/things/{thing_id}"

    await client.get("/v1/things/123")
    await client.get("/v1/things/456")

    assert request_count(service, "GET", template, "200") == 2
    duration = REGISTRY.get_sample_value(
        "huiyin_http_request_duration_seconds_count",
        {"service": service, "method": "GET", "route": template},
    )
    assert duration == 2
    assert routes_seen(service) == {template}
    assert not [route for route in routes_seen(service) if "123" in route or "456" in route]


async def test_nested_router_prefixes_are_part_of_the_template(
    client: httpx.AsyncClient, service: str
) -> None:
    response = await client.get("/v2/cases/c-9/notes/5")

    assert response.status_code == 200
    assert request_count(service, "GET", "/v2/cases/{case_id}/notes/{note_id}", "200") == 1


async def test_unmatched_paths_share_one_label(client: httpx.AsyncClient, service: str) -> None:
    await client.get("/wp-admin/secret-123")
    await client.get("/another/999")

    assert request_count(service, "GET", "<unmatched>", "404") == 2
    assert routes_seen(service) == {"<unmatched>"}


async def test_errors_and_refusals_are_counted_with_their_status(
    client: httpx.AsyncClient, service: str
) -> None:
    await client.get("/v1/things/fail/now")
    await client.post("/v1/things/upload", content=chunks(3))
    await client.request("BREW", "/v1/things/1")

    assert request_count(service, "GET", "/v1/things/fail/now", "500") == 1
    assert request_count(service, "POST", "/v1/things/upload", "413") == 1
    assert request_count(service, "OTHER", "/v1/things/{thing_id}", "405") == 1


async def test_probes_and_metrics_are_not_counted(client: httpx.AsyncClient, service: str) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await client.get(path)).status_code == 200

    assert routes_seen(service) == set()
