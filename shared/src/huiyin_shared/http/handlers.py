"""Exception handlers: every refusal and every failure becomes a problem response."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import structlog
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from huiyin_shared.db.engine import database_unreachable
from huiyin_shared.errors import DomainError, Unavailable
from huiyin_shared.http.problems import (
    FieldError,
    field_errors,
    problem_response,
    reason_phrase,
    status_slug,
    status_title,
)
from huiyin_shared.logging import describe_error

log = structlog.get_logger(__name__)

_DEFAULT_DETAILS: Final[Mapping[int, str]] = {
    404: "Nothing exists at this path.",
    405: "This method is not allowed on this path; the Allow header lists those that are.",
}

INTERNAL_ERROR_DETAIL = "An unexpected error occurred; it has been logged. Quote the request id."


def _field_path(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def validation_field_errors(errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic/FastAPI validation errors as ``{"field": "body.summary", ...}``.

    The offending input is never echoed back: it may hold a petitioner's identity.
    """
    result = []
    for error in errors:
        loc = list(error.get("loc", ()))
        kind = str(error.get("type", "invalid"))
        message = str(error.get("msg", "Invalid value"))
        if kind == "json_invalid":
            # loc is ("body", <character position>): report the body, not the offset.
            loc = [part for part in loc if isinstance(part, str)]
            reason = (error.get("ctx") or {}).get("error")
            message = f"Invalid JSON: {reason}" if reason else "Invalid JSON"
        result.append(FieldError(field=_field_path(loc), message=message, type=kind))
    return result


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = validation_field_errors(exc.errors())
    return problem_response(
        request.scope,
        status=422,
        slug="validation-error",
        title="Request validation failed",
        detail=f"The request has {len(errors)} invalid field(s).",
        errors=errors,
    )


async def handle_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    log.info("http.request_refused", status=exc.status, problem=exc.slug, detail=exc.detail)
    return problem_response(
        request.scope,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=field_errors(exc.errors),
        headers=exc.headers or None,
    )


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status < 400:
        return Response(status_code=status, headers=exc.headers)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if not detail or detail == reason_phrase(status):
        detail = _DEFAULT_DETAILS.get(status, status_title(status))
    return problem_response(
        request.scope,
        status=status,
        slug=status_slug(status),
        title=status_title(status),
        detail=detail,
        headers=exc.headers,
    )


def internal_error_response(scope: Scope) -> Response:
    return problem_response(
        scope,
        status=500,
        slug=status_slug(500),
        title="Internal server error",
        detail=INTERNAL_ERROR_DETAIL,
    )


DATABASE_RETRY_AFTER_SECONDS: Final = 5


def unexpected_error_response(scope: Scope, exc: Exception) -> Response:
    """An exception no handler expected: logged with its traceback and answered 500; or,
    when the database could not be reached, which the same request may well get past
    shortly, logged as such and answered 503 with ``Retry-After``."""
    if database_unreachable(exc):
        log.warning("http.database_unreachable", path=scope["path"], error=describe_error(exc))
        return problem_response(
            scope,
            status=Unavailable.status,
            slug=Unavailable.slug,
            title=Unavailable.title,
            detail="The database cannot be reached; try again shortly.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    log.error("http.unhandled_exception", method=scope["method"], path=scope["path"], exc_info=exc)
    return internal_error_response(scope)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """Last resort (Starlette's outermost error middleware)."""
    return unexpected_error_response(request.scope, exc)


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(HTTPException, handle_http_exception)
    app.add_exception_handler(Exception, handle_unexpected)
