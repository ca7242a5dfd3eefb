"""The assessment on the embedded SQLite default: facts, entries, grades, CSV, publication."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.service import triggers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.catalogue import EventData, build_envelope
from huiyin_shared.contracts.events import (
    CaseAcceptedByUnit,
    CaseOverdue,
    ClockName,
    PetitionFeedbackReceived,
    UnitRef,
)
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import StaffRole, issue_token
from huiyin_shared.runtime import ServiceApp, build_app

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
UNIT = UnitRef(unit_id="unit-7", unit_name="Labour bureau", division_code="370102")
RULES = RuleSet.load()
OFFICER = {
    "Authorization": "Bearer "
    + issue_token(staff_id="officer-1", roles=[StaffRole.DISCIPLINE_OFFICER], unit_id="jw")
}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[ServiceApp]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'accountability.db'}"
    await asyncio.to_thread(upgrade, "huiyin_accountability", url)
    service = bootstrap(
        AccountabilitySettings(database_url=url),
        consumers=False,
        timers=False,
        clock=FixedClock(T0),
    )
    yield service
    await service.platform.engine.dispose()


async def observe(app: ServiceApp, events: list[EventData]) -> None:
    uow = app.platform.unit_of_work_factory(AccountabilityUnitOfWork)()
    async with uow:
        envelopes = [
            build_envelope(event, producer="supervision", subject="case:x", occurred_at=T0)
            for event in events
        ]
        await triggers.observe(uow, envelopes=envelopes, rules=RULES, now=T0)
        await uow.commit()


async def test_grades_from_computed_and_entered_items_exported_and_published(
    app: ServiceApp,
) -> None:
    late, unhappy = uuid.uuid4(), uuid.uuid4()
    await observe(
        app,
        [
            CaseAcceptedByUnit(case_id=late, unit=UNIT, handler_id="h-1", accepted_at=T0),
            CaseAcceptedByUnit(case_id=unhappy, unit=UNIT, handler_id="h-2", accepted_at=T0),
            CaseOverdue(
                case_id=late,
                unit=UNIT,
                clock=ClockName.RESOLVE,
                due_date=date(2026, 5, 30),
                explanation_filed=True,
                detected_at=T0,
            ),
            PetitionFeedbackReceived(
                petition_id=uuid.uuid4(), case_id=unhappy, satisfied=False, received_at=T0
            ),
        ],
    )
    http = build_app(app, relay=False)
    transport = httpx.ASGITransport(app=http)
    async with httpx.AsyncClient(transport=transport, base_url="http://a", headers=OFFICER) as c:
        for item in (
            "records_kept",
            "meeting_decisions_carried_out",
            "lawful_procedure",
            "one_time_notification",
            "disclosures_on_time",
            "integrity_pledge_signed",
            "satisfaction_of_people_served",
            "important_power_exercises_registered",
        ):
            for staff in ("h-1", "h-2"):
                r = await c.put(
                    f"/v1/assessments/2026/staff/{staff}/items/{item}", json={"met": True}
                )
                assert r.status_code == 204, r.text
        refused = await c.put(
            "/v1/assessments/2026/staff/h-1/items/time_limits_met", json={"met": True}
        )
        assert refused.status_code == 422
        r = await c.post(
            "/v1/assessments/2026/staff/h-2/rude-treatment",
            json={"reported_in_press": False, "note": "shouted at a visitor"},
        )
        assert r.status_code == 201
        r = await c.put("/v1/assessments/2026/units/unit-7/target", json={"target_met": False})
        assert r.status_code == 204

        staff = {a["staff_id"]: a for a in (await c.get("/v1/assessments/2026/staff")).json()}
        assert (staff["h-1"]["items_met"], staff["h-1"]["grade"]) == (9, "excellent")
        assert staff["h-1"]["items"]["time_limits_met"] is False
        assert (staff["h-2"]["grade_before_caps"], staff["h-2"]["grade"]) == (
            "excellent",
            "basically_qualified",
        )
        rows = list(
            csv.DictReader(io.StringIO((await c.get("/v1/assessments/2026/staff.csv")).text))
        )
        assert [(r["staff_id"], r["grade"]) for r in rows] == [
            ("h-1", "excellent"),
            ("h-2", "basically_qualified"),
        ]
        units = (await c.get("/v1/assessments/2026/units.csv")).text
        assert units.splitlines() == ["year,unit_id,target_met,vetoed", "2026,unit-7,False,True"]

        schema = (await c.get("/openapi.json")).json()
        assert "/v1/assessments/{year}/staff.csv" in schema["paths"]
        assert "/v1/responsibility" in schema["paths"]

        published = (await c.post("/v1/assessments/2026/publication")).json()
        assert published["units"] == [{"unit_id": "unit-7", "target_met": False, "vetoed": True}]
        assert [s["grade"] for s in published["staff"]] == ["excellent", "basically_qualified"]
