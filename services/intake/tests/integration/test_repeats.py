"""Repeat petitions on the real stack: the same petitioner (by blind index) on the same
matter is linked to the original; a matter final after re-review is not accepted again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from huiyin_shared.contracts.events import case
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration


def repeats_counted() -> float:
    return REGISTRY.get_sample_value("huiyin_petitions_repeat_linked_total") or 0.0


async def test_same_petitioner_same_matter_is_linked_not_opened_again(intake: Any) -> None:
    counted_before = repeats_counted()
    async with intake.tap("petition.*") as events, intake.client() as client:
        first = (
            await client.post("/v1/petitions", json=intake.petition(), headers=intake.clerk)
        ).json()
        registered = await intake.next_envelope(events, "petition.registered")
        ref = registered.data["petitioner_ref"]

        # the same person gives only the phone this time, and rewords the matter
        again = intake.petition(
            channel="visit",
            summary="再次反映建筑公司欠我三个月工资至今未付",
            identity=intake.identity(id_number=None, name="张三丰"),
        )
        second = await client.post("/v1/petitions", json=again, headers=intake.clerk)
        assert second.status_code == 201, second.text
        assert second.json()["status"] == "repeat_linked"
        assert second.json()["repeat_of"] == first["registration_number"]
        registered_again = await intake.next_envelope(events, "petition.registered")
        assert registered_again.data["petitioner_ref"] == ref  # one person, one reference
        linked = await intake.next_envelope(events, "petition.repeat_linked")
        assert linked.data["original_petition_id"] == first["petition_id"]
        assert linked.data["repeat_count"] == 2

        third = (
            await client.post("/v1/petitions", json=intake.petition(), headers=intake.clerk)
        ).json()
        assert third["repeat_of"] == first["registration_number"]
        assert (await intake.next_envelope(events, "petition.repeat_linked")).data[
            "repeat_count"
        ] == 3

        other_matter = intake.petition(
            summary="小区物业擅自提高物业费",
            subject_category="property.fees",
            accused_unit_ids=["u-wy"],
        )
        fresh = (await client.post("/v1/petitions", json=other_matter, headers=intake.clerk)).json()
        assert (fresh["status"], fresh["repeat_of"]) == ("registered", None)

        other_person = intake.petition(
            identity=intake.identity(id_number=intake.id_numbers[1], phone=intake.phones[1])
        )
        stranger = (
            await client.post("/v1/petitions", json=other_person, headers=intake.clerk)
        ).json()
        assert stranger["repeat_of"] is None

        anonymous = (
            await client.post(
                "/v1/petitions",
                json=intake.petition(anonymous=True, identity=None),
                headers=intake.clerk,
            )
        ).json()
        assert anonymous["repeat_of"] is None

        linked_view = (
            await client.get(f"/v1/petitions/{second.json()['petition_id']}", headers=intake.clerk)
        ).json()
        assert linked_view["original_petition_id"] == first["petition_id"]
        assert repeats_counted() - counted_before == 2


async def test_a_matter_final_after_re_review_is_not_accepted_again(intake: Any) -> None:
    key = {"X-API-Key": await intake.portal_key()}
    async with intake.running(consumers=True) as (client, _), intake.tap("petition.*") as events:
        first = (
            await client.post(
                "/v1/portal/petitions", json=intake.petition(channel="online"), headers=key
            )
        ).json()
        await intake.emit(
            case.CaseFinal(
                case_id=uuid.uuid4(),
                petition_id=uuid.UUID(first["petition_id"]),
                basis="re_review_concluded",
                final_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
        credentials = {
            "registration_number": first["registration_number"],
            "query_code": first["query_code"],
        }

        async def final_seen() -> bool:
            answer = await client.post("/v1/portal/tracking", json=credentials, headers=key)
            return bool(answer.json()["status"] == "final")

        await eventually(final_seen, timeout=20)
        again = await client.post(
            "/v1/portal/petitions", json=intake.petition(channel="online"), headers=key
        )
        assert again.status_code == 201, again.text
        assert again.json()["status"] == "not_accepted"
        assert again.json()["repeat_of"] == first["registration_number"]
        declined = await intake.next_envelope(events, "petition.not_accepted")
        assert declined.data["reason"] == "already_re_reviewed"
        assert declined.data["decided_by"] == "system:intake"
        tracked = await client.post(
            "/v1/portal/tracking",
            json={
                "registration_number": again.json()["registration_number"],
                "query_code": again.json()["query_code"],
            },
            headers=key,
        )
        assert tracked.json()["status"] == "not_accepted"
        kinds = [m["kind"] for m in tracked.json()["timeline"]]
        assert kinds == ["registered", "not_accepted", "repeat_linked"]
