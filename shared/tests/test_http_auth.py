"""Staff bearer tokens: who may call, as which roles, for which unit; every refusal a problem."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Depends
from pydantic import SecretStr

from huiyin_shared.http import create_app
from huiyin_shared.http.auth import (
    AuthConfig,
    Staff,
    StaffRole,
    issue_token,
    main,
    require_roles,
    verify_token,
)
from huiyin_shared.settings import DEV_TOKEN_KEY, ServiceSettings


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/who")
    async def who(
        staff: Annotated[Staff, Depends(require_roles(StaffRole.CLERK, StaffRole.SUPERVISOR))],
    ) -> dict[str, object]:
        return {"staff": staff.staff_id, "unit": staff.unit_id, "roles": sorted(staff.roles)}

    return router


def _client(settings: ServiceSettings) -> httpx.AsyncClient:
    app = create_app(settings=settings, title="t", version="0", routers=[_router()])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(ServiceSettings()) as c:
        yield c


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_names_the_caller_roles_and_unit(client: httpx.AsyncClient) -> None:
    token = issue_token(staff_id="clerk-01", roles=[StaffRole.CLERK], unit_id="370102-xfb")
    response = await client.get("/who", headers=_bearer(token))
    assert response.status_code == 200
    assert response.json() == {"staff": "clerk-01", "unit": "370102-xfb", "roles": ["clerk"]}


async def test_no_token_is_401_with_the_scheme(client: httpx.AsyncClient) -> None:
    response = await client.get("/who")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "token",
    [
        issue_token(
            staff_id="x",
            roles=["clerk"],
            unit_id="u",
            key="another-key-long-enough-for-sha-256-hmac",
        ),
        issue_token(
            staff_id="x",
            roles=["clerk"],
            unit_id="u",
            now=datetime.now(UTC) - timedelta(hours=9),
        ),
        "not-a-jwt",
    ],
    ids=["wrong-key", "expired", "garbage"],
)
async def test_bad_tokens_are_401(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get("/who", headers=_bearer(token))
    assert response.status_code == 401
    assert response.json()["status"] == 401


async def test_a_role_not_admitted_is_403(client: httpx.AsyncClient) -> None:
    token = issue_token(staff_id="h-1", roles=[StaffRole.HANDLER], unit_id="u-1")
    response = await client.get("/who", headers=_bearer(token))
    assert response.status_code == 403
    assert "clerk" in response.json()["detail"]


async def test_claims_outside_the_vocabulary_are_401(client: httpx.AsyncClient) -> None:
    token = issue_token(staff_id="x", roles=["clerk"], unit_id="u")
    payload = jwt.decode(token, options={"verify_signature": False})
    payload["roles"] = ["emperor"]
    forged = jwt.encode(payload, DEV_TOKEN_KEY, algorithm="HS256")
    response = await client.get("/who", headers=_bearer(forged))
    assert response.status_code == 401


async def test_public_key_verification_with_eddsa() -> None:
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = ServiceSettings(
        auth_token_key=SecretStr(public_pem),
        auth_token_algorithm="EdDSA",
        auth_token_issuer="huiyin-idp",
    )
    good = issue_token(
        staff_id="s-1",
        roles=["supervisor"],
        unit_id="u",
        key=private_pem,
        algorithm="EdDSA",
        issuer="huiyin-idp",
    )
    hmac = issue_token(staff_id="s-1", roles=["supervisor"], unit_id="u", issuer="huiyin-idp")
    async with _client(settings) as client:
        assert (await client.get("/who", headers=_bearer(good))).status_code == 200
        # An HMAC token signed with the development key is refused once a public key is set.
        assert (await client.get("/who", headers=_bearer(hmac))).status_code == 401


def test_the_token_command_prints_a_usable_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--staff", "clerk-01", "--role", "clerk", "--unit", "370102-xfb"]) == 0
    token = capsys.readouterr().out.strip()
    staff = verify_token(token, AuthConfig())
    assert staff == Staff("clerk-01", frozenset({StaffRole.CLERK}), "370102-xfb")
