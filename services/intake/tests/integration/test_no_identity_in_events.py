"""No event ever carries a petitioner's identity. Every intake integration test already has
its outbox scanned on teardown (the ``intake`` fixture); this test makes sure that scan
sees every type intake produces, in one flow, and that the scanner itself catches a leak."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from huiyin_shared.contracts.events import case as case_events
from huiyin_shared.contracts.events import produced_by
from huiyin_shared.contracts.events.common import Service
from huiyin_shared.http.auth import StaffRole
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration


def test_the_scanner_finds_fields_and_values_however_nested(intake: Any) -> None:
    assert intake.leaks({"petition": {"summary": "ok"}}) == []
    assert intake.leaks({"petition": {"phone": "x"}}) == ["$.petition.phone"]
    assert intake.leaks({"notes": [f"请联系 {intake.phones[0]}"]}) == [
        f"$.notes[0]: {intake.phones[0]}"
    ]
    assert intake.leaks({"summary": f"{intake.names[0]}反映"}) == [f"$.summary: {intake.names[0]}"]


async def test_every_event_type_intake_produces_is_scanned(intake: Any) -> None:
    key = {"X-API-Key": await intake.portal_key()}
    custodian = intake.token(StaffRole.IDENTITY_CUSTODIAN, staff="keeper-1")
    collective = intake.identity(
        representatives=[
            {"name": name, "phone": phone}
            for name, phone in zip(intake.names[1:4], intake.phones, strict=True)
        ]
    )
    async with intake.running(consumers=True) as (client, _):

        async def register(**changes: Any) -> dict[str, Any]:
            answer = await client.post(
                "/v1/petitions", json=intake.petition(**changes), headers=intake.clerk
            )
            assert answer.status_code == 201, answer.text
            return dict(answer.json())

        first = await register(
            people_count=6, identity=collective, urgent=True, urgent_reported_to="leader-1"
        )
        await register()  # a repeat of the first
        # free text naming the petitioner: kept for staff, redacted in what is published
        talkative = await register(
            summary=f"我是{intake.names[0]}，身份证{intake.id_numbers[0]}，电话{intake.phones[0]}，"
            "反映物业乱收费",
            subject_category="property.fees",
        )
        view = (
            await client.get(f"/v1/petitions/{talkative['petition_id']}", headers=intake.clerk)
        ).json()
        assert intake.phones[0] in view["summary"]
        for petition_id, decision in (
            (first["petition_id"], {"decision": "accept"}),
            (
                (await register(anonymous=True, identity=None))["petition_id"],
                {
                    "decision": "not_accept",
                    "reason": "for_legislature_or_judiciary",
                    "proper_channel": "向人民法院提出",
                },
            ),
            (
                (await register(anonymous=True, identity=None))["petition_id"],
                {"decision": "refer_out", "authority": "市市场监管局", "reason": "职责范围外"},
            ),
        ):
            decided = await client.post(
                f"/v1/petitions/{petition_id}/decision", json=decision, headers=intake.clerk
            )
            assert decided.status_code == 200, decided.text
        for headers in (intake.clerk, custodian):
            await client.post(
                f"/v1/petitions/{first['petition_id']}/identity-reads",
                json={"reason": "核实"},
                headers=headers,
            )

        submitted = (
            await client.post(
                "/v1/portal/petitions",
                json=intake.petition(
                    channel="online",
                    summary="小区物业擅自提高物业费",
                    subject_category="property.fees",
                    accused_unit_ids=["u-wy"],
                ),
                headers=key,
            )
        ).json()
        credentials = {
            "registration_number": submitted["registration_number"],
            "query_code": submitted["query_code"],
        }
        await intake.emit(
            case_events.CaseClosed(
                case_id=uuid.uuid4(),
                petition_id=uuid.UUID(submitted["petition_id"]),
                closed_at=intake.now,
                result_summary_public="已答复",
            )
        )

        async def closed() -> bool:
            answer = await client.post("/v1/portal/tracking", json=credentials, headers=key)
            return bool(answer.json()["status"] == "closed")

        await eventually(closed, timeout=20)
        feedback = {**credentials, "satisfied": False, "comment": f"联系我 {intake.phones[0]}"}
        assert (
            await client.post("/v1/portal/feedback", json=feedback, headers=key)
        ).status_code == 202
        review = {**credentials, "tier": "review"}
        assert (
            await client.post("/v1/portal/review-requests", json=review, headers=key)
        ).status_code == 202

    produced = {envelope.type for envelope in await intake.outbox()}
    assert produced == set(produced_by(Service.INTAKE))
    # the teardown of the ``intake`` fixture now scans every one of these payloads
