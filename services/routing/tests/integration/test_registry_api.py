"""The registry over HTTP on real PostgreSQL: imports, refusals that change nothing,
recorded changes, and the orphan rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from huiyin_routing.domain.decision import RoutingPolicy
from huiyin_routing.service import routing as use_cases
from huiyin_routing.service.outcomes import RoutingRules
from huiyin_routing.service.registry import RegistryCache
from huiyin_shared.testing.events import petition_facts

from .conftest import ADMIN, CLERK, SAMPLE, Routing

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_the_sample_registry_imports_and_reads_back(routing: Routing) -> None:
    response = await routing.import_sample()
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["version"] == 1
    assert body["created_by"] == "admin-1"
    assert body["counts"]["organisations"] == 124
    current = (await routing.client.get("/v1/registry", headers=CLERK)).json()
    assert current["version"] == 1
    assert current["reason"] == "initial registry"
    unit = (await routing.client.get("/v1/registry/units/370102-rsj", headers=CLERK)).json()
    assert unit["name"] == "历下区人力资源和社会保障局"
    assert unit["superior_unit_id"] == "370102-zf"
    assert "labour.wages" in unit["competences"][0]["subjects"]
    division = (await routing.client.get("/v1/registry/divisions/370102", headers=CLERK)).json()
    assert division["level"] == "county"
    assert "370102-xfb" in {u["unit_id"] for u in division["units"]}


async def test_staff_tokens_and_roles_are_required(routing: Routing) -> None:
    assert (await routing.client.get("/v1/registry")).status_code == 401
    refused = await routing.client.post(
        "/v1/registry/imports", params={"reason": "x"}, content=SAMPLE.encode(), headers=CLERK
    )
    assert refused.status_code == 403
    assert (await routing.client.get("/v1/registry", headers=CLERK)).status_code == 404


async def test_a_defective_file_is_refused_with_its_lines_and_changes_nothing(
    routing: Routing,
) -> None:
    assert (await routing.import_sample()).status_code == 201
    broken = SAMPLE.replace("division: '370103'\n", "division: '370199'\n", 1)
    line = SAMPLE[: SAMPLE.index("division: '370103'\n")].count("\n") + 1
    response = await routing.import_sample(broken)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    first = problem["errors"][0]
    assert first["message"] == f"line {line}: unknown division code 370199"
    assert first["field"].endswith(".division")
    assert (await routing.client.get("/v1/registry", headers=CLERK)).json()["version"] == 1
    syntax = await routing.import_sample("format: huiyin-registry/1\ndivisions: [\n")
    assert syntax.status_code == 422
    assert syntax.json()["errors"][0]["message"].startswith("line 3: not valid YAML")


async def test_a_change_is_validated_versioned_and_recorded(routing: Routing) -> None:
    assert (await routing.import_sample()).status_code == 201
    unit = {
        "id": "370102-xzspj",
        "name": "历下区行政审批服务局",
        "division": "370102",
        "type": "department",
        "competences": [{"subjects": ["licensing.*"], "priority": 10}],
    }
    response = await routing.client.post(
        "/v1/registry/changes",
        json={
            "collection": "organisations",
            "action": "put",
            "item": unit,
            "reason": "机构改革新设",
        },
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2
    changes = (await routing.client.get("/v1/registry/changes", headers=CLERK)).json()
    latest = changes[0]
    assert (latest["action"], latest["target"], latest["changed_by"], latest["reason"]) == (
        "organisations.put",
        "370102-xzspj",
        "admin-1",
        "机构改革新设",
    )
    assert latest["detail"]["before"] is None
    assert latest["detail"]["after"]["name"] == "历下区行政审批服务局"
    assert changes[1]["action"] == "import"
    exported = await routing.client.get("/v1/registry/document", headers=ADMIN)
    assert exported.headers["content-type"].startswith("application/yaml")
    assert exported.text.startswith("# Jurisdiction registry, version 2")
    assert "历下区行政审批服务局" in exported.text
    assert (await routing.client.get("/v1/registry/document", headers=CLERK)).status_code == 403
    reimported = await routing.import_sample(exported.text)
    assert reimported.status_code == 201, reimported.text
    assert reimported.json()["checksum"] == response.json()["checksum"]
    no_competence = await routing.client.post(
        "/v1/registry/changes",
        json={
            "collection": "organisations",
            "action": "put",
            "item": {**unit, "competences": []},
            "reason": "清空职责",
        },
        headers=ADMIN,
    )
    assert no_competence.status_code == 422
    assert no_competence.json()["errors"][0]["message"] == "unit 370102-xzspj has no competences"
    missing = await routing.client.post(
        "/v1/registry/changes",
        json={"collection": "people", "action": "remove", "item": {"id": "nobody"}, "reason": "x"},
        headers=ADMIN,
    )
    assert missing.status_code == 404
    assert (await routing.client.get("/v1/registry", headers=CLERK)).json()["version"] == 3


async def test_an_import_or_change_may_not_orphan_open_routes(routing: Routing) -> None:
    assert (await routing.import_sample()).status_code == 201
    rules = RoutingRules(policy=RoutingPolicy())
    async with routing.uow() as uow:
        request = await use_cases.on_accepted(
            uow,
            RegistryCache(),
            rules,
            petition_id=uuid.uuid4(),
            facts=petition_facts(office_id="370102-xfb"),
            now=NOW,
        )
        await uow.commit()
    assert request.lead_unit_id == "370102-rsj"
    removal = await routing.client.post(
        "/v1/registry/changes",
        json={
            "collection": "organisations",
            "action": "remove",
            "item": {"id": "370102-rsj"},
            "reason": "撤并",
        },
        headers=ADMIN,
    )
    assert removal.status_code == 422
    assert "1 open route(s)" in removal.json()["errors"][0]["message"]
    start = SAMPLE.index("- id: 370102-rsj")
    end = SAMPLE.index("- id: ", start + 1)
    without = SAMPLE[:start] + SAMPLE[end:]
    refused = await routing.import_sample(without)
    assert refused.status_code == 422
    orphan = refused.json()["errors"]
    assert orphan[0]["field"] == "organisations"
    line = SAMPLE[: SAMPLE.index("organisations:")].count("\n") + 1
    assert orphan[0]["message"].startswith(f"line {line}: unit 370102-rsj is missing")
    assert (await routing.client.get("/v1/registry", headers=CLERK)).json()["version"] == 1
