"""Confidential identities: encrypted at rest, read only by the custodian, every read on the
record and announced; keys rotate by command."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from huiyin_intake.config import DEV_IDENTITY_KEY, DEV_IDENTITY_KEY_ID
from huiyin_intake.db import identities, identity_reads
from huiyin_shared.http.auth import StaffRole

pytestmark = pytest.mark.integration


async def rows(url: str, table: Any) -> list[dict[str, Any]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return [dict(r) for r in (await connection.execute(select(table))).mappings()]
    finally:
        await engine.dispose()


async def test_identity_is_encrypted_at_rest_and_indexed_blindly(intake: Any) -> None:
    async with intake.client() as client:
        created = await client.post("/v1/petitions", json=intake.petition(), headers=intake.clerk)
        assert created.status_code == 201, created.text
    [stored] = await rows(intake.settings.sqlalchemy_url(), identities)
    assert str(stored["petition_id"]) == created.json()["petition_id"]
    assert stored["key_id"] == DEV_IDENTITY_KEY_ID
    assert len(stored["nonce"]) == 12
    for secret in (intake.names[0], intake.id_numbers[0], intake.phones[0]):
        assert secret.encode() not in stored["ciphertext"]
        assert secret not in stored["id_number_index"] + stored["phone_index"]


async def test_only_the_custodian_reads_and_every_attempt_is_recorded(intake: Any) -> None:
    async with intake.tap("identity.*") as events, intake.client() as client:
        created = (
            await client.post("/v1/petitions", json=intake.petition(), headers=intake.clerk)
        ).json()
        url = f"/v1/petitions/{created['petition_id']}/identity-reads"

        clerk = intake.token(StaffRole.CLERK, staff="clerk-9")
        refused = await client.post(url, json={"reason": "想知道是谁"}, headers=clerk)
        assert refused.status_code == 403
        assert intake.names[0] not in refused.text
        event = await intake.next_envelope(events, "identity.accessed")
        assert event.data["allowed"] is False
        assert (event.data["reader_id"], event.data["reader_role"]) == ("clerk-9", "clerk")

        custodian = intake.token(
            StaffRole.IDENTITY_CUSTODIAN, staff="keeper-1", unit="office-370102"
        )
        allowed = await client.post(
            url, json={"reason": "答复信访人需要联系方式"}, headers=custodian
        )
        assert allowed.status_code == 200, allowed.text
        identity = allowed.json()
        assert (identity["name"], identity["id_number"], identity["phone"]) == (
            intake.names[0],
            intake.id_numbers[0],
            intake.phones[0],
        )
        event = await intake.next_envelope(events, "identity.accessed")
        assert event.data["allowed"] is True
        assert event.data["reason"] == "答复信访人需要联系方式"
        assert event.data["reader_role"] == "identity_custodian"

        no_reason = await client.post(url, json={}, headers=custodian)
        assert [e["field"] for e in no_reason.json()["errors"]] == ["body.reason"]
        assert (await client.post(url, json={"reason": "x"})).status_code == 401

        anonymous = (
            await client.post(
                "/v1/petitions",
                json=intake.petition(anonymous=True, identity=None),
                headers=intake.clerk,
            )
        ).json()
        none_held = await client.post(
            f"/v1/petitions/{anonymous['petition_id']}/identity-reads",
            json={"reason": "核实"},
            headers=custodian,
        )
        assert none_held.status_code == 404
        assert none_held.json()["type"] == "/problems/identity-not-held"

        metrics = (await client.get("/metrics")).text
        assert 'huiyin_identity_reads_total{allowed="false"}' in metrics

        officer = intake.token(StaffRole.DISCIPLINE_OFFICER, staff="officer-1")
        listed = await client.get(url, headers=officer)
        assert listed.status_code == 200, listed.text
        assert sorted((r["reader_id"], r["allowed"]) for r in listed.json()) == [
            ("clerk-9", False),
            ("keeper-1", True),
        ]
        assert intake.names[0] not in listed.text
        assert (await client.get(url, headers=clerk)).status_code == 403

    recorded = await rows(intake.settings.sqlalchemy_url(), identity_reads)
    assert sorted((r["reader_id"], r["allowed"], r["reason"]) for r in recorded) == [
        ("clerk-9", False, "想知道是谁"),
        ("keeper-1", True, "核实"),
        ("keeper-1", True, "答复信访人需要联系方式"),
    ]


async def test_rotate_keys_re_encrypts_under_the_new_key(intake: Any) -> None:
    async with intake.client() as client:
        for index in range(3):
            body = intake.petition(
                identity=intake.identity(
                    id_number=intake.id_numbers[index], phone=intake.phones[index]
                )
            )
            assert (
                await client.post("/v1/petitions", json=body, headers=intake.clerk)
            ).status_code == 201

    new_key = base64.b64encode(os.urandom(32)).decode()
    keys = {DEV_IDENTITY_KEY_ID: DEV_IDENTITY_KEY, "2026-11": new_key}
    environment = {
        **os.environ,
        "HUIYIN_INTAKE_DATABASE_URL": intake.settings.sqlalchemy_url(),
        "HUIYIN_INTAKE_IDENTITY_KEYS": json.dumps(keys),
        "HUIYIN_INTAKE_IDENTITY_ACTIVE_KEY_ID": "2026-11",
    }

    async def rotate_keys(*argv: str) -> str:
        """The command as an operator runs it: its own process, configured by environment."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "huiyin_intake",
            "rotate-keys",
            *argv,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(120):
            out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return out.decode()

    assert "re-encrypted 3 identities under key 2026-11" in await rotate_keys("--batch-size", "2")
    stored = await rows(intake.settings.sqlalchemy_url(), identities)
    assert {r["key_id"] for r in stored} == {"2026-11"}
    assert "re-encrypted 0 identities" in await rotate_keys()

    # the old key can now be retired: reads work with the new key alone
    intake.settings = intake.settings.model_copy(
        update={
            "identity_keys": {"2026-11": intake.settings.index_key.__class__(new_key)},
            "identity_active_key_id": "2026-11",
        }
    )
    custodian = intake.token(StaffRole.IDENTITY_CUSTODIAN, staff="keeper-1")
    async with intake.client() as client:
        for row in stored:
            read = await client.post(
                f"/v1/petitions/{row['petition_id']}/identity-reads",
                json={"reason": "核对"},
                headers=custodian,
            )
            assert read.status_code == 200, read.text
            assert read.json()["name"] == intake.names[0]
