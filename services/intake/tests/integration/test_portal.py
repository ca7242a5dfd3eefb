"""The portal API: per-portal keys, idempotent submission, tracking by number + query code."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from huiyin_intake import cli
from huiyin_intake.config import IntakeSettings
from huiyin_intake.db import idempotency_records
from huiyin_shared.clock import FixedClock
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration


def strip(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem without what differs per request anyway."""
    return {k: v for k, v in problem.items() if k not in {"instance", "request_id"}}


async def run_cli(monkeypatch: pytest.MonkeyPatch, intake: Any, capsys: Any, *argv: str) -> str:
    monkeypatch.setenv("HUIYIN_INTAKE_DATABASE_URL", intake.settings.sqlalchemy_url())
    command = cli.COMMANDS[argv[0]]
    assert await asyncio.to_thread(command.run, IntakeSettings(), argv[1:]) == 0
    return str(capsys.readouterr().out.strip().splitlines()[-1])


async def test_portal_keys_are_issued_rotated_and_revoked_by_command(
    intake: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = await run_cli(
        monkeypatch,
        intake,
        capsys,
        "portal-key",
        "issue",
        "--portal",
        "wechat",
        "--office",
        intake.office,
        "--scope",
        "submit",
    )
    assert key.startswith("hyk_")
    key_id = key.split("_")[1]
    listing = await run_cli(monkeypatch, intake, capsys, "portal-key", "list")
    assert f"{key_id}\twechat\t{intake.office}\tsubmit\tactive" in listing
    assert key.split("_", 2)[2] not in listing  # the secret is never shown again

    body = intake.petition(channel="online")
    async with intake.client() as client:
        submitted = await client.post("/v1/portal/petitions", json=body, headers={"X-API-Key": key})
        assert submitted.status_code == 201, submitted.text
        created = submitted.json()
        assert created["registration_number"] == f"{intake.office}-2026-000001"
        assert len(created["query_code"]) == 14
        staff_view = (
            await client.get(f"/v1/petitions/{created['petition_id']}", headers=intake.clerk)
        ).json()
        assert (staff_view["portal_id"], staff_view["registered_by"]) == ("wechat", None)

        missing = await client.post("/v1/portal/petitions", json=body)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "ApiKey"
        forged = await client.post(
            "/v1/portal/petitions", json=body, headers={"X-API-Key": key[:-4] + "AAAA"}
        )
        assert forged.status_code == 401
        out_of_scope = await client.post(
            "/v1/portal/tracking",
            json={
                "registration_number": created["registration_number"],
                "query_code": created["query_code"],
            },
            headers={"X-API-Key": key},
        )
        assert out_of_scope.status_code == 403

        rotated = await run_cli(monkeypatch, intake, capsys, "portal-key", "rotate", key_id)
        assert rotated != key
        old = await client.post("/v1/portal/petitions", json=body, headers={"X-API-Key": key})
        assert old.status_code == 401
        new = await client.post("/v1/portal/petitions", json=body, headers={"X-API-Key": rotated})
        assert new.status_code == 201, new.text

        await run_cli(monkeypatch, intake, capsys, "portal-key", "revoke", rotated.split("_")[1])
        revoked = await client.post(
            "/v1/portal/petitions", json=body, headers={"X-API-Key": rotated}
        )
        assert revoked.status_code == 401
        visit = await client.post(
            "/v1/portal/petitions",
            json=intake.petition(channel="visit"),
            headers={"X-API-Key": await intake.portal_key()},
        )
        assert [e["field"] for e in visit.json()["errors"]] == ["body.channel"]


async def test_concurrent_retries_make_one_petition_and_get_the_first_answer(intake: Any) -> None:
    key = await intake.portal_key()
    headers = {"X-API-Key": key, "Idempotency-Key": "submission-7f3a"}
    body = intake.petition(channel="online")
    async with intake.client() as client:
        answers = await asyncio.gather(
            *(client.post("/v1/portal/petitions", json=body, headers=headers) for _ in range(8))
        )
        assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
        assert len({(a.json()["petition_id"], a.json()["query_code"]) for a in answers}) == 1
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 7

        later = await client.post("/v1/portal/petitions", json=body, headers=headers)
        assert later.json() == answers[0].json()
        page = (await client.get("/v1/petitions", headers=intake.clerk)).json()
        assert page["total"] == 1

        reused = await client.post(
            "/v1/portal/petitions", json={**body, "summary": "另一件事"}, headers=headers
        )
        assert reused.status_code == 422
        assert reused.json()["type"] == "/problems/idempotency-key-reused"
        assert [e["field"] for e in reused.json()["errors"]] == ["header.Idempotency-Key"]

        other_key = {**headers, "Idempotency-Key": "submission-8b1c"}
        second = await client.post("/v1/portal/petitions", json=body, headers=other_key)
        assert second.status_code == 201
        assert second.json()["petition_id"] != answers[0].json()["petition_id"]


async def test_tracking_answers_a_wrong_code_like_an_unknown_number(intake: Any) -> None:
    key = {"X-API-Key": await intake.portal_key()}
    async with intake.client() as client:
        created = (
            await client.post(
                "/v1/portal/petitions", json=intake.petition(channel="online"), headers=key
            )
        ).json()
        number, code = created["registration_number"], created["query_code"]

        found = await client.post(
            "/v1/portal/tracking",
            json={"registration_number": number, "query_code": code.lower().replace("-", "")},
            headers=key,
        )
        assert found.status_code == 200, found.text
        tracked = found.json()
        assert tracked["status"] == "registered"
        assert [m["kind"] for m in tracked["timeline"]] == ["registered"]
        assert intake.names[0] not in found.text

        wrong = await client.post(
            "/v1/portal/tracking",
            json={"registration_number": number, "query_code": "2222-2222-2222"},
            headers=key,
        )
        unknown = await client.post(
            "/v1/portal/tracking",
            json={"registration_number": "office-370102-2026-999999", "query_code": code},
            headers=key,
        )
        assert wrong.status_code == unknown.status_code == 404
        assert strip(wrong.json()) == strip(unknown.json())
        assert wrong.headers["content-type"] == unknown.headers["content-type"]


async def test_tracking_attempts_are_limited_across_replicas(intake: Any) -> None:
    intake.settings = intake.settings.model_copy(
        update={
            "tracking_attempts_per_number_per_hour": 3,
            "tracking_attempts_per_client_per_minute": 50,
        }
    )
    key = {"X-API-Key": await intake.portal_key()}
    async with intake.client() as one, intake.client() as two:
        created = (
            await one.post(
                "/v1/portal/petitions", json=intake.petition(channel="online"), headers=key
            )
        ).json()
        number = created["registration_number"]
        guess = {"registration_number": number, "query_code": "2222-2222-2222"}
        # three failures, spread over two replicas sharing one database
        for replica in (one, two, one):
            assert (
                await replica.post("/v1/portal/tracking", json=guess, headers=key)
            ).status_code == 404
        right = {"registration_number": number, "query_code": created["query_code"]}
        limited = await two.post("/v1/portal/tracking", json=right, headers=key)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "3600"
        metrics = (await two.get("/metrics")).text
        assert 'huiyin_tracking_lookups_total{outcome="rate_limited"}' in metrics

    intake.settings = intake.settings.model_copy(
        update={"tracking_attempts_per_client_per_minute": 2}
    )
    key = {"X-API-Key": await intake.portal_key(portal="kiosk")}  # another client
    async with intake.client() as client:
        other = {"registration_number": "office-370102-2026-000077", "query_code": "2222-2222-2222"}
        answers = [
            await client.post("/v1/portal/tracking", json=other, headers=key) for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [404, 404, 429], answers[0].text
        assert answers[2].headers["retry-after"] == "60"


async def test_expired_idempotency_records_are_purged_by_command(
    intake: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = await intake.portal_key()
    headers = {"X-API-Key": key, "Idempotency-Key": "old-submission"}
    body = intake.petition(channel="online")
    async with intake.client() as client:
        first = await client.post("/v1/portal/petitions", json=body, headers=headers)
        assert first.status_code == 201
    # recorded at the test clock's March 2026, long before the command's real clock
    assert await run_cli(monkeypatch, intake, capsys, "purge-expired") == (
        "purged 1 idempotency records"
    )
    async with intake.client() as client:
        again = await client.post("/v1/portal/petitions", json=body, headers=headers)
        assert again.status_code == 201
        assert again.json()["petition_id"] != first.json()["petition_id"]


async def test_expired_idempotency_records_are_purged_by_the_service_itself(intake: Any) -> None:
    headers = {"X-API-Key": await intake.portal_key(), "Idempotency-Key": "old-submission"}
    async with intake.client() as client:
        answer = await client.post(
            "/v1/portal/petitions", json=intake.petition(channel="online"), headers=headers
        )
        assert answer.status_code == 201

    async def records(service: Any) -> int:
        async with service.platform.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(idempotency_records)))

    intake.settings = intake.settings.model_copy(update={"purge_interval_seconds": 0.1})
    async with intake.running(FixedClock(intake.now + timedelta(hours=23))) as (_, service):
        await asyncio.sleep(0.5)
        assert await records(service) == 1, "kept while within its 24 hours"
    async with intake.running(FixedClock(intake.now + timedelta(hours=25))) as (_, service):

        async def purged() -> bool:
            return await records(service) == 0

        await eventually(purged, timeout=10)
