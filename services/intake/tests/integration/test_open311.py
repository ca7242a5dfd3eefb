"""The Open311 GeoReport v2 surface: services, form-encoded requests, JSON and XML."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import fromstring

import pytest

pytestmark = pytest.mark.integration


def form(key: str, **changes: str) -> dict[str, str]:
    values = {
        "api_key": key,
        "service_code": "help_request",
        "description": "拖欠工资三个月，多次讨要未果",
        "address_string": "历下区某建筑工地",
        "lat": "36.66",
        "long": "117.02",
        "last_name": "张",
        "first_name": "三丰",
        "phone": "13800138000",
        "attribute[division_code]": "370102",
        "attribute[subject_category]": "labour.wages",
    }
    values.update(changes)
    return values


async def test_services_are_the_petition_kinds_in_json_and_xml(intake: Any) -> None:
    async with intake.client() as client:
        listed = (await client.get("/open311/v2/services.json")).json()
        assert [s["service_code"] for s in listed] == [
            "report",
            "accusation",
            "appeal",
            "suggestion",
            "help_request",
            "inquiry",
        ]
        assert listed[0]["service_name"] == "检举"
        xml = await client.get("/open311/v2/services.xml")
        assert xml.headers["content-type"].startswith("text/xml")
        root = fromstring(xml.content)
        assert root.tag == "services"
        assert [s.findtext("service_code") for s in root.findall("service")][4] == "help_request"
        definition = (await client.get("/open311/v2/services/report.json")).json()
        assert [a["code"] for a in definition["attributes"]] == [
            "division_code",
            "subject_category",
            "id_number",
        ]
        unknown = await client.get("/open311/v2/services/parking.xml")
        assert unknown.status_code == 404
        assert fromstring(unknown.content).find("error/code").text == "404"  # type: ignore[union-attr]


async def test_a_geo_report_client_submits_and_tracks(intake: Any) -> None:
    key = await intake.portal_key()
    async with intake.tap("petition.*") as events, intake.client() as client:
        created = await client.post("/open311/v2/requests.json", data=form(key))
        assert created.status_code == 201, created.text
        [answer] = created.json()
        number, code = answer["service_request_id"], answer["query_code"]
        assert number == f"{intake.office}-2026-000001"
        assert code in answer["service_notice"]
        registered = await intake.next_envelope(events, "petition.registered")
        assert registered.data["channel"] == "online"
        assert registered.data["anonymous"] is False

        params = {"api_key": key, "query_code": code}
        [found] = (await client.get(f"/open311/v2/requests/{number}.json", params=params)).json()
        assert (found["status"], found["service_code"], found["status_notes"]) == (
            "open",
            "help_request",
            "registered",
        )
        assert "description" not in found
        assert "address" not in found
        as_xml = await client.get(
            "/open311/v2/requests.xml", params={**params, "service_request_id": number}
        )
        request = fromstring(as_xml.content).find("request")
        assert request is not None
        assert request.findtext("status") == "open"

        wrong = await client.get(
            f"/open311/v2/requests/{number}.json", params={**params, "query_code": "2222-2222-2222"}
        )
        assert wrong.status_code == 404
        listing = await client.get("/open311/v2/requests.json", params={"api_key": key})
        assert listing.status_code == 400

        anonymous = await client.post(
            "/open311/v2/requests.xml",
            data=form(key, last_name="", first_name="", phone=""),
        )
        assert anonymous.status_code == 201, anonymous.text
        assert (
            fromstring(anonymous.content).findtext("request/service_request_id").endswith("000002")
        )  # type: ignore[union-attr]


async def test_bad_requests_get_geo_report_errors_naming_the_fields(intake: Any) -> None:
    key = await intake.portal_key()
    async with intake.client() as client:
        bad = await client.post(
            "/open311/v2/requests.json",
            data=form(key, service_code="parking", **{"attribute[division_code]": "37"}),
        )
        assert bad.status_code == 400
        described = " ".join(e["description"] for e in bad.json())
        assert "service_code" in described
        assert "attribute[division_code]" in described
        assert all(e["code"] == 400 for e in bad.json())

        no_key = await client.post("/open311/v2/requests.json", data=form("nope"))
        assert no_key.status_code == 401
        unreachable = await client.post("/open311/v2/requests.json", data=form(key, phone=""))
        assert unreachable.status_code == 422
        page = (await client.get("/v1/petitions", headers=intake.clerk)).json()
        assert page["total"] == 0
