"""Staff authentication: bearer tokens (JWT) carrying the staff id, roles and the unit acted for.

Tokens are issued by the office's identity provider; services only verify them. The key is
an HMAC secret (``HS256``) or, better in production, a PEM public key (``EdDSA``, ``ES256``,
``RS256``) so that no service can mint tokens. ``huiyin-token`` mints tokens for local runs,
tests and demos with the configured key.

Claims: ``sub`` (staff id), ``roles`` (list of :class:`StaffRole`), ``unit`` (unit id),
``exp``, and ``iss``/``aud`` when configured.

Use in a route::

    staff: Annotated[Staff, Depends(require_roles(StaffRole.CLERK))]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, SecretStr, ValidationError

from huiyin_shared.errors import Forbidden, Unauthorized
from huiyin_shared.settings import DEV_TOKEN_KEY, ServiceSettings, TokenAlgorithm


class StaffRole(StrEnum):
    """What a member of staff may do; a token carries one or more."""

    CLERK = "clerk"  # registration clerk (登记)
    HANDLER = "handler"  # handling unit staff (承办人)
    UNIT_HEAD = "unit_head"  # head of a handling unit
    SUPERVISOR = "supervisor"  # 督办
    LEADER = "leader"  # 领导 (top leader, deputy in charge)
    DISCIPLINE_OFFICER = "discipline_officer"  # 纪检监察
    IDENTITY_CUSTODIAN = "identity_custodian"  # may read petitioner identities (保密)
    REGISTRY_ADMIN = "registry_admin"  # edits the jurisdiction registry
    ADMIN = "admin"  # operations: portal keys, configuration


@dataclass(frozen=True, slots=True)
class Staff:
    """The authenticated caller."""

    staff_id: str
    roles: frozenset[StaffRole]
    unit_id: str

    def has(self, *roles: StaffRole) -> bool:
        return bool(self.roles.intersection(roles))


class AuthConfig(BaseModel):
    """How tokens are verified; built from the service settings."""

    key: SecretStr = SecretStr(DEV_TOKEN_KEY)
    algorithm: TokenAlgorithm = "HS256"
    issuer: str | None = None
    audience: str | None = None
    leeway_seconds: int = Field(default=30, ge=0)


class _Claims(BaseModel):
    sub: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    roles: list[StaffRole] = Field(min_length=1)
    unit: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")


_bearer = HTTPBearer(auto_error=False, description="A staff token: `Authorization: Bearer …`")


def verify_token(token: str, config: AuthConfig) -> Staff:
    """Decode and check a token; any defect is :class:`Unauthorized` with the reason."""
    try:
        payload = jwt.decode(
            token,
            config.key.get_secret_value(),
            algorithms=[config.algorithm],
            issuer=config.issuer,
            audience=config.audience,
            leeway=config.leeway_seconds,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from None
    try:
        claims = _Claims.model_validate(payload)
    except ValidationError:
        raise Unauthorized("the token lacks valid sub, roles or unit claims") from None
    return Staff(staff_id=claims.sub, roles=frozenset(claims.roles), unit_id=claims.unit)


def _config_of(request: Request) -> AuthConfig:
    config: AuthConfig | None = getattr(request.app.state, "auth_config", None)
    if config is None:
        settings: ServiceSettings = request.app.state.settings
        config = AuthConfig(
            key=settings.auth_token_key,
            algorithm=settings.auth_token_algorithm,
            issuer=settings.auth_token_issuer,
            audience=settings.auth_token_audience,
        )
        request.app.state.auth_config = config
    return config


async def current_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Staff:
    """The FastAPI dependency: the caller, or 401."""
    if credentials is None:
        raise Unauthorized("a staff bearer token is required")
    return verify_token(credentials.credentials, _config_of(request))


def require_roles(*roles: StaffRole) -> Callable[..., Awaitable[Staff]]:
    """A dependency admitting staff holding any of ``roles`` (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
        if not staff.roles & allowed:
            wanted = ", ".join(sorted(allowed))
            raise Forbidden(f"this needs one of the roles: {wanted}")
        return staff

    return dependency


def issue_token(
    *,
    staff_id: str,
    roles: Sequence[StaffRole | str],
    unit_id: str,
    key: str = DEV_TOKEN_KEY,
    algorithm: TokenAlgorithm = "HS256",
    ttl: timedelta = timedelta(hours=8),
    issuer: str | None = None,
    audience: str | None = None,
    now: datetime | None = None,
) -> str:
    """Mint a token (the identity provider's job; here for local runs and tests)."""
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": staff_id,
        "roles": [StaffRole(r).value for r in roles],
        "unit": unit_id,
        "iat": issued,
        "exp": issued + ttl,
    }
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, key, algorithm=algorithm)


def main(argv: Sequence[str] | None = None) -> int:
    """``huiyin-token``: print a staff token signed with a key (default: the development key)."""
    parser = argparse.ArgumentParser(prog="huiyin-token", description=main.__doc__)
    parser.add_argument("--staff", required=True, help="staff id (the sub claim)")
    parser.add_argument(
        "--role", action="append", required=True, choices=[r.value for r in StaffRole]
    )
    parser.add_argument("--unit", required=True, help="the unit the staff member acts for")
    parser.add_argument("--hours", type=float, default=8.0, help="validity (default 8)")
    parser.add_argument("--key-file", help="HMAC secret or PEM private key (default: dev key)")
    parser.add_argument(
        "--algorithm", default="HS256", choices=["HS256", "EdDSA", "ES256", "RS256"]
    )
    parser.add_argument("--issuer")
    parser.add_argument("--audience")
    args = parser.parse_args(argv)
    key = DEV_TOKEN_KEY
    if args.key_file:
        with open(args.key_file, encoding="utf-8") as handle:
            key = handle.read().strip()
    sys.stdout.write(
        issue_token(
            staff_id=args.staff,
            roles=args.role,
            unit_id=args.unit,
            key=key,
            algorithm=args.algorithm,
            ttl=timedelta(hours=args.hours),
            issuer=args.issuer,
            audience=args.audience,
        )
        + "\n"
    )
    return 0
