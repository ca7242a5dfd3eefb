"""Every refusal and failure answers with one problem+json shape, never a stack trace."""

from __future__ import annotations

import inspect
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import structlog
from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, Field

from huiyin_shared import errors
from huiyin_shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
    TooManyRequests,
    Unauthorized,
)
from huiyin_shared.http import create_app
from huiyin_shared.logging import configure_logging
from huiyin_shared.settings import ServiceSettings

PROBLEM_JSON = "application/problem+json"


class NewThing(BaseModel):
    title: str
    summary: str = Field(min_length=5)


class PetitionNotFound(NotFound):
    slug = "petition-not-found"
    title = "Petition not found"


def things_router() -> APIRouter:
    router = APIRouter(prefix="/v1/things")

    @router.post("/{thing_id}")
    async def create(thing_id: int, body: NewThing) -> dict[str, Any]:
        return {"id": thing_id, "title": body.title}

    @router.get("/raise/{kind}")
    async def raise_domain(kind: str) -> None:
        raise DOMAIN_ERRORS[kind]

    @router.get("/boom")
    async def boom() -> None:
        secret = "db-password-hunter2"
        raise RuntimeError(f"exploded while holding {secret}")

    @router.get("/database-gone")
    async def database_gone() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('10.0.0.5', 5432)")

    @router.get("/http")
    async def http_error() -> None:
        raise HTTPException(status_code=409, detail="already there", headers={"X-Hint": "1"})

    return router


DOMAIN_ERRORS: dict[str, DomainError] = {
    "not-found": NotFound("no thing 7"),
    "conflict": Conflict("version 3 is stale"),
    "forbidden": Forbidden("another unit's case"),
    "unauthorized": Unauthorized("token expired"),
    "rule": RuleViolation(
        "deadline passed",
        errors=[{"field": "body.due_on", "message": "in the past", "type": "deadline"}],
    ),
    "too-many": TooManyRequests("slow down", retry_after=30),
    "petition": PetitionNotFound("no petition X1"),
}


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging(service="problems-test", fmt="json", level="INFO", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture
def app() -> FastAPI:
    settings = ServiceSettings(service_name=f"problems-{uuid.uuid4().hex[:8]}")
    return create_app(settings=settings, title="Test", version="1.0", routers=[things_router()])


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    assert isinstance(body["errors"], list)
    return body


async def test_validation_error_lists_the_offending_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/things/abc", json={"summary": "tiny"})

    body = assert_problem(response, 422, "validation-error")
    by_field = {error["field"]: error for error in body["errors"]}
    assert set(by_field) == {"path.thing_id", "body.title", "body.summary"}
    assert by_field["body.title"]["type"] == "missing"
    assert by_field["body.summary"]["type"] == "string_too_short"
    assert "5 characters" in by_field["body.summary"]["message"]
    # The refused input is not echoed back (it may be a petitioner's identity).
    assert "tiny" not in response.text


async def test_malformed_json_is_a_validation_problem_on_the_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/things/1", content=b'{"title": ', headers={"content-type": "application/json"}
    )

    body = assert_problem(response, 422, "validation-error")
    assert body["errors"] == [
        {"field": "body", "message": body["errors"][0]["message"], "type": "json_invalid"}
    ]
    assert body["errors"][0]["message"].startswith("Invalid JSON")


@pytest.mark.parametrize(
    ("kind", "status", "slug"),
    [
        ("not-found", 404, "not-found"),
        ("conflict", 409, "conflict"),
        ("forbidden", 403, "forbidden"),
        ("unauthorized", 401, "unauthorized"),
        ("rule", 422, "rule-violation"),
        ("too-many", 429, "too-many-requests"),
        ("petition", 404, "petition-not-found"),
    ],
)
async def test_domain_errors_map_to_their_status_and_slug(
    client: httpx.AsyncClient, kind: str, status: int, slug: str
) -> None:
    error = DOMAIN_ERRORS[kind]

    response = await client.get(f"/v1/things/raise/{kind}")

    body = assert_problem(response, status, slug)
    assert body["title"] == error.title
    assert body["detail"] == error.detail
    assert body["errors"] == error.errors


async def test_domain_errors_carry_their_headers(client: httpx.AsyncClient) -> None:
    throttled = await client.get("/v1/things/raise/too-many")
    unauthenticated = await client.get("/v1/things/raise/unauthorized")

    assert throttled.headers["retry-after"] == "30"
    assert unauthenticated.headers["www-authenticate"] == "Bearer"


def test_domain_error_defaults() -> None:
    error = RuleViolation()
    assert error.detail == RuleViolation.title
    assert error.errors == []
    assert str(error) == RuleViolation.title
    assert issubclass(PetitionNotFound, NotFound)
    assert PetitionNotFound.status == 404


def test_errors_module_has_no_web_framework_imports() -> None:
    source = inspect.getsource(errors)
    assert "fastapi" not in source
    assert "starlette" not in source


async def test_unhandled_exception_is_a_generic_500_and_its_traceback_is_logged(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get("/v1/things/boom")

    body = assert_problem(response, 500, "internal-error")
    for leak in ("Traceback", "RuntimeError", "hunter2", "exploded", ".py"):
        assert leak not in response.text
    logged = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    [failure] = [line for line in logged if line["event"] == "http.unhandled_exception"]
    assert failure["level"] == "error"
    assert "Traceback (most recent call last)" in failure["exception"]
    assert "RuntimeError: exploded" in failure["exception"]
    assert failure["correlation_id"] == body["request_id"]


async def test_an_unreachable_database_is_a_503_to_retry_not_a_500(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get("/v1/things/database-gone")

    assert_problem(response, 503, "unavailable")
    assert response.headers["retry-after"] == "5"
    assert "10.0.0.5" not in response.text
    logged = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    [warning] = [line for line in logged if line["event"] == "http.database_unreachable"]
    assert warning["level"] == "warning"


async def test_unknown_route_and_wrong_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/nothing/here")
    wrong_method = await client.delete("/v1/things/1")

    assert_problem(missing, 404, "not-found")
    assert_problem(wrong_method, 405, "method-not-allowed")
    assert wrong_method.headers["allow"] == "POST"


async def test_http_exceptions_keep_their_detail_and_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/things/http")

    body = assert_problem(response, 409, "conflict")
    assert body["detail"] == "already there"
    assert response.headers["x-hint"] == "1"


def test_openapi_declares_the_problem_schema_for_errors(app: FastAPI) -> None:
    schema = app.openapi()

    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "request_id", "errors"} <= set(
        problem["properties"]
    )
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    responses = schema["paths"]["/v1/things/{thing_id}"]["post"]["responses"]
    for status in ("4XX", "5XX"):
        content = responses[status]["content"]
        assert content == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "422" not in responses  # covered by 4XX, no second validation-error shape


def test_probes_and_metrics_are_not_in_the_openapi_document(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)
    assert not [path for path in paths if path.startswith("/_control")]
