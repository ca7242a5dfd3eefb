"""Decisions on real PostgreSQL: acceptance, returns, the leader's manual decision, the
explanation, and the events left in the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import insert

from huiyin_routing.db import routing_requests
from huiyin_routing.domain.decision import RoutingPolicy
from huiyin_routing.service import routing as use_cases
from huiyin_routing.service.outcomes import RoutingRules
from huiyin_routing.service.registry import RegistryCache
from huiyin_shared.contracts.events.common import UnitRef
from huiyin_shared.contracts.events.routing import CaseReturnedByUnit
from huiyin_shared.testing.events import petition_facts

from .conftest import CLERK, LEADER, Routing, bearer

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
IDENTITY_FIELDS = {"name", "id_number", "phone", "address", "petitioner_name", "petitioner_ref"}


async def accept(
    routing: Routing, petition_id: uuid.UUID, rules: RoutingRules, **facts: Any
) -> None:
    async with routing.uow() as uow:
        await use_cases.on_accepted(
            uow,
            RegistryCache(),
            rules,
            petition_id=petition_id,
            facts=petition_facts(**{"office_id": "370102-xfb", **facts}),
            now=NOW,
        )
        await uow.commit()


async def give_back(
    routing: Routing, petition_id: uuid.UUID, rules: RoutingRules, unit: UnitRef, minutes: int
) -> None:
    event = CaseReturnedByUnit(
        case_id=uuid.uuid4(),
        petition_id=petition_id,
        unit=unit,
        reason="不属本单位职责范围",
        returned_at=NOW + timedelta(minutes=minutes),
        returned_by=f"{unit.unit_id}-h1",
    )
    async with routing.uow() as uow:
        await use_cases.on_returned(uow, RegistryCache(), rules, event=event, now=event.returned_at)
        await uow.commit()


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


RULES = RoutingRules(policy=RoutingPolicy())


async def test_a_petition_waits_for_a_registry_then_is_routed_with_reasons(
    routing: Routing,
) -> None:
    petition_id = uuid.uuid4()
    await accept(routing, petition_id, RULES)
    waiting = (await routing.client.get("/v1/routing-requests", headers=CLERK)).json()
    assert [(r["petition_id"], r["status"]) for r in waiting] == [(str(petition_id), "pending")]
    imported = await routing.import_sample()
    assert imported.json()["routed_waiting"] == 1
    request = (
        await routing.client.get(f"/v1/routing-requests/{petition_id}", headers=CLERK)
    ).json()
    assert (request["status"], request["lead_unit_id"]) == ("routed", "370102-rsj")
    [envelope] = await routing.events("petition.routed")
    data = envelope["data"]
    assert data["lead_unit"]["unit_name"] == "历下区人力资源和社会保障局"
    assert (data["mode"], data["deadline_class"]) == ("assign", "general")
    assert data["decided_by"] is None
    assert data["escalation"] == {
        "unit_head_id": "370102-rsj-head",
        "leader_in_charge_id": "370102-zf-fz1",
        "top_leader_id": "370102-qw-head",
        "superior_unit": {
            "unit_id": "370102-zf",
            "unit_name": "历下区人民政府",
            "division_code": "370102",
        },
    }
    assert any("谁主管" in reason for reason in data["reasons"])
    assert not keys(data) & IDENTITY_FIELDS
    explanation = (
        await routing.client.get(f"/v1/routing-requests/{petition_id}/explanation", headers=CLERK)
    ).json()
    [decision] = explanation["decisions"]
    assert decision["decision_id"] == data["decision_id"]
    assert decision["registry_version"] == 1
    assert decision["explanation"]["candidates"][0]["verdict"] == "lead"


async def test_the_same_acceptance_twice_routes_once(routing: Routing) -> None:
    await routing.import_sample()
    petition_id = uuid.uuid4()
    await accept(routing, petition_id, RULES)
    await accept(routing, petition_id, RULES)
    assert len(await routing.events("petition.routed")) == 1


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_matters_for_a_court_are_referred_out(routing: Routing) -> None:
    await routing.import_sample()
    petition_id = uuid.uuid4()
    before = counted("huiyin_routing_decisions_total", mode="refer_out")
    timed = counted("huiyin_routing_decision_duration_seconds_count")
    await accept(routing, petition_id, RULES, subject_category="litigation.judgment")
    assert counted("huiyin_routing_decisions_total", mode="refer_out") == before + 1
    assert counted("huiyin_routing_decision_duration_seconds_count") == timed + 1
    [envelope] = await routing.events("petition.referred_out")
    assert envelope["data"]["authority"] == "历下区人民法院"
    request = (
        await routing.client.get(f"/v1/routing-requests/{petition_id}", headers=CLERK)
    ).json()
    assert request["status"] == "referred_out"


async def test_returns_reroute_then_pass_to_a_leader_who_decides(routing: Routing) -> None:
    rules = RoutingRules(policy=RoutingPolicy(), bounce_threshold=1)
    await routing.import_sample()
    petition_id = uuid.uuid4()
    await accept(
        routing, petition_id, rules, division_code="370103", subject_category="land.requisition"
    )
    [first] = await routing.events("petition.routed")
    assert first["data"]["lead_unit"]["unit_id"] == "370103-zrj"
    assert {u["unit_id"] for u in first["data"]["participating_units"]} == {
        "370103-nyj",
        "370103-rsj",
    }

    await give_back(routing, petition_id, rules, UnitRef(**first["data"]["lead_unit"]), 10)
    [rerouted] = await routing.events("petition.rerouted")
    assert rerouted["data"]["lead_unit"]["unit_id"] == "370100-zrj"
    assert rerouted["data"]["previous_unit"]["unit_id"] == "370103-zrj"
    assert rerouted["data"]["bounce_count"] == 1

    # A stale return from a unit no longer leading counts, but decides nothing.
    await give_back(routing, petition_id, rules, UnitRef(**first["data"]["lead_unit"]), 15)
    assert len(await routing.events("petition.rerouted")) == 1

    await give_back(routing, petition_id, rules, UnitRef(**rerouted["data"]["lead_unit"]), 20)
    [manual] = await routing.events("routing.manual_decision_required")
    assert counted("huiyin_routing_manual_decisions_required_total") >= 1
    chain = manual["data"]["bounce_chain"]
    assert [b["unit"]["unit_id"] for b in chain] == ["370103-zrj", "370103-zrj", "370100-zrj"]
    assert manual["data"]["leader_id"] == "370100-zf-fz2"  # deputy in charge of land, city
    request = (
        await routing.client.get(f"/v1/routing-requests/{petition_id}", headers=CLERK)
    ).json()
    assert (request["status"], request["bounce_count"]) == ("awaiting_manual", 3)

    url = f"/v1/routing-requests/{petition_id}/decision"
    body = {"mode": "assign", "lead_unit_id": "370103-zrj", "reason": "经研究仍由区自然资源局牵头"}
    assert (await routing.client.post(url, json=body, headers=CLERK)).status_code == 403
    no_reason = await routing.client.post(url, json={**body, "reason": ""}, headers=LEADER)
    assert no_reason.status_code == 422
    decided = await routing.client.post(
        url, json={**body, "participating_unit_ids": ["370103-nyj"]}, headers=LEADER
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "routed"
    manual_routing = (await routing.events("petition.rerouted"))[-1]["data"]
    assert manual_routing["decided_by"] == "370102-zf-fz1"
    assert manual_routing["bounce_count"] == 3
    assert manual_routing["reasons"][0].endswith("经研究仍由区自然资源局牵头")
    again = await routing.client.post(url, json=body, headers=LEADER)
    assert again.status_code == 409

    explanation = (
        await routing.client.get(f"/v1/routing-requests/{petition_id}/explanation", headers=CLERK)
    ).json()
    assert [d["outcome"] for d in explanation["decisions"]] == [
        "route",
        "route",
        "awaiting_leader",
        "route",
    ]
    assert explanation["decisions"][-1]["manual_reason"] == "经研究仍由区自然资源局牵头"
    assert len(explanation["bounces"]) == 3


async def test_a_leader_may_not_route_to_the_accused_unit(routing: Routing) -> None:
    await routing.import_sample()
    petition_id = uuid.uuid4()
    await accept(
        routing,
        petition_id,
        RULES,
        division_code="370102",
        subject_category="space.launches",
        kind="accusation",
        accused_unit_ids=["370102-rsj"],
    )
    request = (
        await routing.client.get(f"/v1/routing-requests/{petition_id}", headers=CLERK)
    ).json()
    assert request["status"] == "unroutable"
    refused = await routing.client.post(
        f"/v1/routing-requests/{petition_id}/decision",
        json={"mode": "assign", "lead_unit_id": "370102-rsj", "reason": "指定办理"},
        headers=LEADER,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "lead_unit_id"
    accused = bearer("unit_head", staff="370102-rsj-head", unit="370102-rsj")
    for path in ("", "/explanation"):
        hidden = await routing.client.get(
            f"/v1/routing-requests/{petition_id}{path}", headers=accused
        )
        assert hidden.status_code == 404
    listing = await routing.client.get("/v1/routing-requests", headers=accused)
    assert listing.json() == []
    assert "accused unit" in refused.json()["errors"][0]["message"]
    referred = await routing.client.post(
        f"/v1/routing-requests/{petition_id}/decision",
        json={"mode": "refer_out", "authority": "济南市中级人民法院", "reason": "属诉讼事项"},
        headers=bearer("leader", staff="370100-zf-fz1"),
    )
    assert referred.status_code == 200, referred.text
    [envelope] = await routing.events("petition.referred_out")
    assert envelope["data"]["decided_by"] == "370100-zf-fz1"


async def test_the_preview_explains_without_recording(routing: Routing) -> None:
    await routing.import_sample()
    facts = petition_facts(office_id="370102-xfb", subject_category="land.requisition")
    response = await routing.client.post(
        "/v1/routing/preview",
        content=facts.model_dump_json(),
        headers={**CLERK, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["lead_unit_id"] == "370102-zrj"
    assert body["participating_unit_ids"] == ["370102-nyj", "370102-rsj"]
    rejected = body["explanation"]["candidates"]
    assert {c["verdict"] for c in rejected} == {"lead", "participating"}
    assert await routing.events() == []


async def test_a_return_arriving_twice_or_before_the_acceptance_counts_once(
    routing: Routing,
) -> None:
    await routing.import_sample()
    petition_id = uuid.uuid4()
    unit = UnitRef(
        unit_id="370102-rsj", unit_name="历下区人力资源和社会保障局", division_code="370102"
    )
    event = CaseReturnedByUnit(
        case_id=uuid.uuid4(),
        petition_id=petition_id,
        unit=unit,
        reason="不属本单位职责范围",
        returned_at=NOW,
        returned_by="370102-rsj-h1",
    )
    for _ in range(2):  # the same return under two event ids, before the acceptance
        async with routing.uow() as uow:
            await use_cases.on_returned(uow, RegistryCache(), RULES, event=event, now=NOW)
            await uow.commit()
    await accept(routing, petition_id, RULES)
    request = (
        await routing.client.get(f"/v1/routing-requests/{petition_id}", headers=CLERK)
    ).json()
    assert request["bounce_count"] == 1
    assert request["lead_unit_id"] == "370100-rsj"  # the unit that returned it is excluded


async def test_requests_queued_before_facts_were_kept_do_not_block_an_import(
    routing: Routing,
) -> None:
    legacy = uuid.uuid4()
    async with routing.service.platform.engine.begin() as connection:
        await connection.execute(
            insert(routing_requests).values(
                petition_id=legacy,
                registration_number="370102-xfb-2026-000001",
                office_id="370102-xfb",
                division_code="370102",
                kind="help_request",
                subject_category="labour.wages",
                urgent=False,
                accepted_at=NOW,
                received_at=NOW,
                status="pending",
            )
        )
    petition_id = uuid.uuid4()
    await accept(routing, petition_id, RULES)
    imported = await routing.import_sample()
    assert imported.json()["routed_waiting"] == 1
    waiting = (await routing.client.get("/v1/routing-requests", headers=CLERK)).json()
    assert [r["petition_id"] for r in waiting] == [str(legacy)]
