"""Errors the domain raises; the HTTP kit turns each into one problem response.

Domain code raises these and knows nothing of HTTP frameworks. Each class carries the
HTTP status, a stable machine-readable ``slug`` (the problem type is ``/problems/<slug>``)
and a short human ``title``; the instance carries the ``detail`` for this occurrence and,
optionally, the offending fields as ``{"field": ..., "message": ..., "type": ...}``.

A service narrows them for its own cases, keeping the status of the parent::

    class PetitionNotFound(NotFound):
        slug = "petition-not-found"
        title = "Petition not found"
"""

# The names are the HTTP vocabulary services share (NotFound, Conflict…), kept short.
# ruff: noqa: N818
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class DomainError(Exception):
    """A request the domain refuses; never a bug (bugs are unhandled exceptions → 500)."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail: str = detail if detail is not None else self.title
        self.errors: list[dict[str, Any]] = [dict(error) for error in errors or ()]
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.detail)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r})"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    """The action clashes with the current state (a duplicate, a stale version…)."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class Forbidden(DomainError):
    """The caller is known but may not do this (wrong role, another unit's case…)."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class Unauthorized(DomainError):
    """The caller is not authenticated (no or bad API key or token)."""

    status = 401
    slug = "unauthorized"
    title = "Unauthorized"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        scheme: str = "Bearer",
    ) -> None:
        # RFC 9110 §15.5.2: a 401 names the scheme the client should use.
        super().__init__(
            detail, errors=errors, headers={"WWW-Authenticate": scheme, **(headers or {})}
        )


class RuleViolation(DomainError):
    """A business rule refused the action (e.g. a deadline already passed)."""

    status = 422
    slug = "rule-violation"
    title = "Business rule violated"


class RetryLater(DomainError):
    """Refused for now; ``retry_after`` seconds become ``Retry-After``."""

    def __init__(
        self,
        detail: str | None = None,
        *,
        retry_after: int | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        extra = {"Retry-After": str(max(0, retry_after))} if retry_after is not None else {}
        super().__init__(detail, errors=errors, headers={**extra, **(headers or {})})
        self.retry_after = retry_after


class TooManyRequests(RetryLater):
    """A rate limit refused the request."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests"


class Unavailable(RetryLater):
    """The service cannot do it now; the same request may well succeed later."""

    status = 503
    slug = "unavailable"
    title = "Service unavailable"
