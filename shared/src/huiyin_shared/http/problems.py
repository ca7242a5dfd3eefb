"""The one error shape every service answers with: problem details (RFC 9457).

``{"type": "/problems/<slug>", "title", "status", "detail", "instance", "request_id",
"errors": [{"field", "message", "type"}]}`` served as ``application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, Final

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse
from starlette.types import Scope

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
PROBLEM_TYPE_PREFIX: Final = "/problems/"

# Statuses whose (Python 3.11) reason phrase predates RFC 9110's name, or is too vague.
_STATUS_SLUGS: Final[Mapping[int, str]] = {
    413: "content-too-large",
    422: "unprocessable-content",
    500: "internal-error",
}
_STATUS_TITLES: Final[Mapping[int, str]] = {
    413: "Content too large",
    422: "Unprocessable content",
}


class FieldError(BaseModel):
    """One offending input: where it is, what is wrong, and a machine-readable kind."""

    field: str = Field(examples=["body.summary"])
    message: str = Field(examples=["String should have at least 10 characters"])
    type: str = Field(default="invalid", examples=["string_too_short"])


class Problem(BaseModel):
    """An error response (RFC 9457 problem details); never contains a stack trace."""

    type: str = Field(
        description="A URI reference naming the kind of problem.", examples=["/problems/not-found"]
    )
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(description="What went wrong on this occasion.")
    instance: str = Field(description="The request path.", examples=["/v1/petitions/42"])
    request_id: str | None = Field(
        default=None, description="The X-Request-ID of the request, to quote when reporting."
    )
    errors: list[FieldError] = Field(
        default_factory=list, description="The offending fields, when the input was refused."
    )


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_type(slug: str) -> str:
    return f"{PROBLEM_TYPE_PREFIX}{slug}"


def reason_phrase(status: int) -> str:
    """The standard reason phrase ("Method Not Allowed"), or "" for an unknown status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def status_slug(status: int) -> str:
    if status in _STATUS_SLUGS:
        return _STATUS_SLUGS[status]
    phrase = reason_phrase(status)
    if not phrase:
        return "client-error" if status < 500 else "server-error"
    return phrase.lower().replace(" ", "-").replace("'", "")


def status_title(status: int) -> str:
    """The standard reason phrase in sentence case ("Method not allowed")."""
    if status in _STATUS_TITLES:
        return _STATUS_TITLES[status]
    phrase = reason_phrase(status) or "Error"
    return phrase[:1] + phrase[1:].lower()


def request_id_of(scope: Scope) -> str | None:
    """The request id the request-id middleware stored for this request, if any."""
    state = scope.get("state")
    value = state.get("request_id") if isinstance(state, Mapping) else None
    return value if isinstance(value, str) else None


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Normalise ``{"field", "message", "type"}`` mappings from domain code."""
    return [
        FieldError(
            field=str(error.get("field", "")),
            message=str(error.get("message", "")),
            type=str(error.get("type") or "invalid"),
        )
        for error in errors
    ]


def problem_response(
    scope: Scope,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    problem = Problem(
        type=problem_type(slug),
        title=title,
        status=status,
        detail=detail,
        instance=str(scope.get("path", "")),
        request_id=request_id_of(scope),
        errors=list(errors),
    )
    return ProblemResponse(problem.model_dump(mode="json"), status_code=status, headers=headers)


def openapi_responses() -> dict[int | str, dict[str, Any]]:
    """Responses every operation may give, declared once for the OpenAPI document."""
    return {
        # "4XX" also replaces FastAPI's own 422 schema: validation errors are problems too.
        "4XX": {
            "model": Problem,
            "description": "Client error, validation errors included (problem details).",
        },
        "5XX": {"model": Problem, "description": "Server error (problem details)."},
    }


def use_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """Serve the problem schema as ``application/problem+json`` in the OpenAPI document."""
    ref = "#/components/schemas/Problem"
    for operation in _operations(schema):
        for response in operation.get("responses", {}).values():
            content = response.get("content", {})
            body = content.get("application/json")
            if body is not None and body.get("schema") == {"$ref": ref}:
                content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


def _operations(schema: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                yield operation
