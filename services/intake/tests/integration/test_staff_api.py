"""The staff API on real PostgreSQL and RabbitMQ: registration, decisions, urgency, search."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.catalogue import read_event
from huiyin_shared.contracts.events.petition import PetitionRegistered
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import StaffRole

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


async def test_register_then_accept_publishes_both_events(intake: Any) -> None:
    async with intake.tap("petition.*") as events, intake.client() as client:
        response = await client.post("/v1/petitions", json=intake.petition(), headers=intake.clerk)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["registration_number"] == f"{intake.office}-2026-000001"
        assert created["status"] == "registered"
        assert re.fullmatch(
            r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", created["query_code"]
        )
        assert created["repeat_of"] is None
        petition_id = created["petition_id"]
        assert response.headers["location"] == f"/v1/petitions/{petition_id}"

        envelope = await intake.next_envelope(events, "petition.registered")
        assert envelope.subject == f"petition:{petition_id}"
        registered = read_event(envelope)
        assert isinstance(registered, PetitionRegistered)
        assert registered.registered_at == intake.now
        assert registered.registered_by == "clerk-1"
        assert registered.office_id == intake.office
        assert set(envelope.data) == set(PetitionRegistered.model_fields)
        assert re.fullmatch(r"pr_[A-Za-z0-9_-]{22}", envelope.data["petitioner_ref"])

        decided = await client.post(
            f"/v1/petitions/{petition_id}/decision",
            json={"decision": "accept"},
            headers=intake.token(StaffRole.CLERK, staff="clerk-2"),
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "accepted"
        accepted = await intake.next_envelope(events, "petition.accepted")
        # received on 2 March (Shanghai), + 15 calendar days = Tuesday 17 March
        assert accepted.data["acceptance_notice_due"] == "2026-03-17"
        assert accepted.data["accepted_by"] == "clerk-2"

        again = await client.post(
            f"/v1/petitions/{petition_id}/decision",
            json={"decision": "accept"},
            headers=intake.clerk,
        )
        assert again.status_code == 409
        assert again.headers["content-type"].startswith(PROBLEM)
        assert again.json()["type"] == "/problems/petition-already-decided"

        view = (await client.get(f"/v1/petitions/{petition_id}", headers=intake.clerk)).json()
        assert (view["status"], view["channel"], view["kind"]) == (
            "accepted",
            "letter",
            "help_request",
        )
        assert view["received_at"] == "2026-03-01T17:30:00Z"
        assert view["evidence"] == ["工资条复印件", "劳动合同"]
        assert view["decision"]["acceptance_notice_due"] == "2026-03-17"
        assert "identity" not in view
        assert "petitioner_ref" not in view
        assert intake.names[0] not in response.text + str(view)


async def test_staff_endpoints_need_a_token_and_the_right_role(intake: Any) -> None:
    async with intake.client() as client:
        anonymous = await client.post("/v1/petitions", json=intake.petition())
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"
        forged = await client.get("/v1/petitions", headers={"Authorization": "Bearer nope"})
        assert forged.status_code == 401
        handler = intake.token(StaffRole.HANDLER)
        refused = await client.post("/v1/petitions", json=intake.petition(), headers=handler)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert (await client.get("/v1/petitions", headers=handler)).status_code == 403


async def test_not_accept_and_refer_out(intake: Any) -> None:
    async with intake.tap("petition.*") as events, intake.client() as client:
        first = (
            await client.post(
                "/v1/petitions",
                json=intake.petition(anonymous=True, identity=None),
                headers=intake.clerk,
            )
        ).json()
        registered = await intake.next_envelope(events, "petition.registered")
        assert registered.data["anonymous"] is True
        assert registered.data["petitioner_ref"] is None
        declined = await client.post(
            f"/v1/petitions/{first['petition_id']}/decision",
            json={
                "decision": "not_accept",
                "reason": "statutory_remedy_required",
                "proper_channel": "向劳动人事争议仲裁委员会申请仲裁",
            },
            headers=intake.clerk,
        )
        assert declined.status_code == 200, declined.text
        assert declined.json()["status"] == "not_accepted"
        envelope = await intake.next_envelope(events, "petition.not_accepted")
        assert envelope.data["reason"] == "statutory_remedy_required"
        assert envelope.data["decided_by"] == "clerk-1"

        second = (
            await client.post(
                "/v1/petitions",
                json=intake.petition(
                    identity=intake.identity(id_number=intake.id_numbers[1], phone=intake.phones[1])
                ),
                headers=intake.clerk,
            )
        ).json()
        referred = await client.post(
            f"/v1/petitions/{second['petition_id']}/decision",
            json={
                "decision": "refer_out",
                "authority": "济南市人民法院",
                "reason": "已进入诉讼程序",
            },
            headers=intake.token(StaffRole.LEADER, staff="leader-1"),
        )
        assert referred.status_code == 200, referred.text
        assert referred.json()["status"] == "referred_out"
        out = await intake.next_envelope(events, "petition.referred_out")
        assert out.producer == "intake"
        assert out.data["authority"] == "济南市人民法院"
        assert out.data["decided_by"] == "leader-1"

        unknown = uuid.uuid4()
        missing = await client.post(
            f"/v1/petitions/{unknown}/decision", json={"decision": "accept"}, headers=intake.clerk
        )
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith(PROBLEM)
        assert (
            await client.get(f"/v1/petitions/{unknown}", headers=intake.clerk)
        ).status_code == 404


async def test_urgent_is_reported_at_once(intake: Any) -> None:
    async with intake.tap("petition.*") as events, intake.client() as client:
        unreported = await client.post(
            "/v1/petitions", json=intake.petition(urgent=True), headers=intake.clerk
        )
        assert unreported.status_code == 422
        assert [e["field"] for e in unreported.json()["errors"]] == ["body.urgent_reported_to"]

        created = await client.post(
            "/v1/petitions",
            json=intake.petition(
                urgent=True,
                urgent_reported_to="leader-1",
                people_count=6,
                identity=intake.identity(representatives=[{"name": n} for n in intake.names[1:4]]),
            ),
            headers=intake.clerk,
        )
        assert created.status_code == 201, created.text
        assert created.json()["collective"] is True
        report = await intake.next_envelope(events, "petition.urgent_reported")
        assert report.data["reported_to"] == "leader-1"
        assert report.data["reported_by"] == "clerk-1"
        assert report.data["reported_at"] == "2026-03-02T02:00:00Z"

        later = (
            await client.post(
                "/v1/petitions",
                json=intake.petition(
                    identity=intake.identity(id_number=intake.id_numbers[2], phone=intake.phones[2])
                ),
                headers=intake.clerk,
            )
        ).json()
        flagged = await client.post(
            f"/v1/petitions/{later['petition_id']}/urgent-reports",
            json={"reported_to": "leader-2"},
            headers=intake.clerk,
        )
        assert flagged.status_code == 200, flagged.text
        assert flagged.json()["urgent"] is True
        second = await intake.next_envelope(events, "petition.urgent_reported")
        assert second.data["petition_id"] == later["petition_id"]


async def test_every_field_is_validated_and_nothing_half_written(intake: Any) -> None:
    async with intake.client() as client:
        invalid = await client.post(
            "/v1/petitions",
            json=intake.petition(
                summary="",
                people_count=0,
                division_code="37",
                channel="pigeon",
                evidence=["x"] * 21,
                identity=intake.identity(id_number="370102198001011238", phone="12345"),
            ),
            headers=intake.clerk,
        )
        assert invalid.status_code == 422
        assert invalid.headers["content-type"].startswith(PROBLEM)
        fields = {error["field"] for error in invalid.json()["errors"]}
        assert fields == {
            "body.summary",
            "body.people_count",
            "body.division_code",
            "body.channel",
            "body.evidence",
            "body.identity.id_number",
            "body.identity.phone",
        }
        assert "370102198001011238" not in invalid.text  # input is never echoed

        stray = await client.post(
            "/v1/petitions", json=intake.petition(name="张三"), headers=intake.clerk
        )
        assert [e["field"] for e in stray.json()["errors"]] == ["body.name"]

        mismatched = await client.post(
            "/v1/petitions",
            json=intake.petition(
                people_count=8,
                identity=intake.identity(
                    representatives=[{"name": "甲"}, {"name": "乙"}],
                    co_petitioners=[],
                ),
            ),
            headers=intake.clerk,
        )
        assert mismatched.status_code == 422
        assert mismatched.json()["type"] == "/problems/invalid-petition"
        assert [e["field"] for e in mismatched.json()["errors"]] == [
            "body.identity.representatives"
        ]

        both = await client.post(
            "/v1/petitions", json=intake.petition(anonymous=True), headers=intake.clerk
        )
        assert [e["field"] for e in both.json()["errors"]] == ["body.identity"]
        nobody = await client.post(
            "/v1/petitions", json=intake.petition(identity=None), headers=intake.clerk
        )
        assert [e["field"] for e in nobody.json()["errors"]] == ["body.identity"]
        unreachable = await client.post(
            "/v1/petitions",
            json=intake.petition(identity={"name": intake.names[0]}),
            headers=intake.clerk,
        )
        assert [e["type"] for e in unreachable.json()["errors"]] == ["identity_unreachable"]

        future = (intake.now + timedelta(minutes=5)).isoformat()
        refused = await client.post(
            "/v1/petitions", json=intake.petition(received_at=future), headers=intake.clerk
        )
        assert refused.status_code == 422
        assert refused.json()["type"] == "/problems/received-in-future"
        assert [e["field"] for e in refused.json()["errors"]] == ["received_at"]

        naive = await client.post(
            "/v1/petitions",
            json=intake.petition(received_at="2026-03-01T10:00:00"),
            headers=intake.clerk,
        )
        assert [e["field"] for e in naive.json()["errors"]] == ["body.received_at"]

        huge = await client.post(
            "/v1/petitions",
            content=b'{"summary": "' + b"x" * 2_000_000 + b'"}',
            headers={**intake.clerk, "content-type": "application/json"},
        )
        assert huge.status_code == 413

        created = (
            await client.post("/v1/petitions", json=intake.petition(), headers=intake.clerk)
        ).json()
        assert created["registration_number"] == f"{intake.office}-2026-000001"  # no gap left

        half = await client.post(
            f"/v1/petitions/{created['petition_id']}/decision",
            json={"decision": "not_accept"},
            headers=intake.clerk,
        )
        assert half.status_code == 422
        fields = {error["field"] for error in half.json()["errors"]}
        assert fields == {"body.not_accept.reason", "body.not_accept.proper_channel"}
        page = (await client.get("/v1/petitions", headers=intake.clerk)).json()
        assert page["total"] == 1


async def test_concurrent_registrations_are_numbered_without_gaps_or_duplicates(
    intake: Any,
) -> None:
    async with intake.client() as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/v1/petitions",
                    json=intake.petition(anonymous=True, identity=None),
                    headers=intake.clerk,
                )
                for _ in range(50)
            )
        )
        assert [r.status_code for r in responses] == [201] * 50
        numbers = sorted(r.json()["registration_number"] for r in responses)
        assert numbers == [f"{intake.office}-2026-{n:06d}" for n in range(1, 51)]
        page = await client.get(
            "/v1/petitions", params={"office_id": intake.office, "limit": 100}, headers=intake.clerk
        )
        assert page.json()["total"] == 50


async def test_numbers_restart_per_office_and_year_and_search_filters(intake: Any) -> None:
    clock = FixedClock(datetime(2026, 12, 31, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    async with intake.client(clock) as client:

        async def register(office: str, **changes: Any) -> dict[str, Any]:
            clock.advance(timedelta(minutes=30))
            body = intake.petition(
                anonymous=True, identity=None, received_at=intake.now.isoformat(), **changes
            )
            response = await client.post(
                "/v1/petitions", json=body, headers=intake.token(unit=office)
            )
            assert response.status_code == 201, response.text
            return dict(response.json())

        first = await register(intake.office, channel="visit", kind="report")  # 23:30, 31 December
        other = await register("office-370103", division_code="370103001")  # 00:00, 1 January
        second = await register(intake.office, summary="小区噪音扰民", people_count=7)  # 00:30
        assert first["registration_number"] == f"{intake.office}-2026-000001"
        assert other["registration_number"] == "office-370103-2027-000001"
        assert second["registration_number"] == f"{intake.office}-2027-000001"

        await client.post(
            f"/v1/petitions/{second['petition_id']}/decision",
            json={"decision": "accept"},
            headers=intake.clerk,
        )

        async def ids(**params: Any) -> list[str]:
            response = await client.get("/v1/petitions", params=params, headers=intake.clerk)
            assert response.status_code == 200, response.text
            return [p["petition_id"] for p in response.json()["items"]]

        assert await ids() == [second["petition_id"], other["petition_id"], first["petition_id"]]
        assert await ids(limit=1, offset=1) == [other["petition_id"]]
        assert await ids(status="registered", office_id=intake.office) == [first["petition_id"]]
        assert await ids(channel="visit") == [first["petition_id"]]
        assert await ids(kind="report") == [first["petition_id"]]
        assert await ids(division_code="370103") == [other["petition_id"]]
        assert await ids(collective="true") == [second["petition_id"]]
        assert await ids(q="噪音") == [second["petition_id"]]
        assert await ids(received_from="2027-01-01T00:00:00+08:00") == []
        assert await ids(registration_number=other["registration_number"]) == [other["petition_id"]]
        bad = await client.get(
            "/v1/petitions", params={"status": "closed", "division_code": "x"}, headers=intake.clerk
        )
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {"query.status", "query.division_code"}


async def test_sqlite_default_database(intake: Any, tmp_path: Path) -> None:
    intake.settings = intake.settings.model_copy(
        update={"database_url": None, "data_dir": tmp_path}
    )
    await asyncio.to_thread(upgrade, "huiyin_intake", intake.settings.sqlalchemy_url())
    async with intake.tap("petition.*") as events, intake.client() as client:
        response = await client.post("/v1/petitions", json=intake.petition(), headers=intake.clerk)
        assert response.status_code == 201, response.text
        petition_id = response.json()["petition_id"]
        envelope = await intake.next_envelope(events, "petition.registered")
        assert envelope.data["petition_id"] == petition_id
        decided = await client.post(
            f"/v1/petitions/{petition_id}/decision",
            json={"decision": "accept"},
            headers=intake.clerk,
        )
        assert decided.json()["decision"]["acceptance_notice_due"] == "2026-03-17"
        assert (await client.get("/readyz")).status_code == 200
    assert (tmp_path / "intake.db").exists()
