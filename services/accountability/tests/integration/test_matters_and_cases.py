"""Triggers to decision on real PostgreSQL and RabbitMQ: events in, matter, case, events out."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.db import trigger_facts
from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.timers import Timers
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.events import (
    CaseAcceptedByUnit,
    CaseOpened,
    CaseOverdue,
    CaseRole,
    ClockName,
    IdentityAccessed,
    RoutingMode,
    UnitRef,
)
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import StaffRole, issue_token
from huiyin_shared.messaging.tables import MessagingTables
from huiyin_shared.runtime import ServiceApp, build_app
from huiyin_shared.testing.events import petition_registered
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration

UNIT = UnitRef(unit_id="unit-7", unit_name="Labour bureau", division_code="370102")


def bearer(staff: str, *roles: StaffRole) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(staff_id=staff, roles=roles, unit_id="jw-1")}


OFFICER = bearer("officer-1", StaffRole.DISCIPLINE_OFFICER)
LEADER = bearer("leader-1", StaffRole.LEADER)


@dataclass
class MovableClock:
    """Real time plus an offset the test moves (one process, several components)."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@asynccontextmanager
async def running(
    postgres_url: str, ns: BrokerNamespace, clock: MovableClock
) -> AsyncIterator[tuple[ServiceApp, httpx.AsyncClient]]:
    await asyncio.to_thread(upgrade, "huiyin_accountability", postgres_url)
    ns.queue("accountability.ledger")
    settings = AccountabilitySettings(
        database_url=postgres_url,
        amqp_url=ns.amqp_url,
        events_exchange=ns.exchange,
        queue_prefix=ns.prefix,
        relay_poll_interval_seconds=0.2,
        timer_interval_seconds=3600,  # the test runs the timers itself
    )
    service = bootstrap(settings, clock=clock)
    app = build_app(service)
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://acc", headers=OFFICER
        ) as client:
            yield service, client


async def publish(service: ServiceApp, events: list[tuple[EventData, str]]) -> list[uuid.UUID]:
    async with service.platform.unit_of_work() as uow:
        envelopes = [await uow.publish(e, subject=s) for e, s in events]
        await uow.commit()
    return [e.id for e in envelopes]


async def facts_stored(service: ServiceApp, count: int) -> None:
    async def arrived() -> bool:
        async with service.platform.engine.connect() as connection:
            rows = (await connection.execute(select(trigger_facts.c.event_id))).all()
        return len(rows) >= count

    await eventually(arrived, timeout=60)


def timers_of(service: ServiceApp) -> Timers:
    """Timers like the service's own (they also run, every hour): the test drives these."""
    platform = service.platform
    settings = platform.settings
    assert isinstance(settings, AccountabilitySettings)
    return Timers(
        platform.unit_of_work_factory(AccountabilityUnitOfWork),
        rules=RuleSet.load(settings.trigger_rules_file),
        office=Office(
            calendar=BusinessCalendar.from_file(settings.calendar_override_file),
            zone=settings.zone(),
        ),
        clock=platform.clock,
        interval_seconds=settings.timer_interval_seconds,
        batch_size=settings.timer_batch_size,
    )


async def run_timers(service: ServiceApp) -> int:
    return await timers_of(service).run_once()


async def outbox_types(service: ServiceApp) -> list[str]:
    tables: MessagingTables = service.platform.tables
    async with service.platform.engine.connect() as connection:
        rows = await connection.execute(
            select(tables.outbox.c.event_type).order_by(tables.outbox.c.created_at)
        )
        return [r.event_type for r in rows]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_overdue_case_to_matter_to_decision_served_and_appealed(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    clock = MovableClock()
    async with running(postgres_url, broker_namespace, clock) as (service, client):
        petition_id, case_id = uuid.uuid4(), uuid.uuid4()
        now = clock.now()
        # The events arrive out of order: the overdue case before its opening and handler.
        events: list[tuple[EventData, str]] = [
            (
                CaseOverdue(
                    case_id=case_id,
                    unit=UNIT,
                    clock=ClockName.RESOLVE,
                    due_date=date(2026, 5, 1),
                    explanation_filed=False,
                    detected_at=now,
                ),
                f"case:{case_id}",
            ),
            (
                CaseOpened(
                    case_id=case_id,
                    petition_id=petition_id,
                    decision_id=uuid.uuid4(),
                    unit=UNIT,
                    role=CaseRole.LEAD,
                    mode=RoutingMode.ASSIGN,
                    opened_at=now,
                ),
                f"case:{case_id}",
            ),
            (
                CaseAcceptedByUnit(
                    case_id=case_id, unit=UNIT, handler_id="handler-1", accepted_at=now
                ),
                f"case:{case_id}",
            ),
            (
                IdentityAccessed(
                    petition_id=petition_id,
                    reader_id="custodian-1",
                    reader_role="identity_custodian",
                    reader_unit_id="office-1",
                    reason="verify",
                    read_at=now,
                    allowed=True,
                ),
                f"petition:{petition_id}",
            ),
            (petition_registered(petition_id), f"petition:{petition_id}"),
        ]
        evidence = await publish(service, events)
        await facts_stored(service, len(events))

        assert await run_timers(service) == 0, "nothing is judged before the events settle"
        clock.offset += timedelta(minutes=2)
        # Two rounds at once (as two replicas would): each check is judged once.
        await asyncio.gather(run_timers(service), run_timers(service))

        matters = ok(await client.get("/v1/matters", params={"status": "open"}))
        assert [m["rule_id"] for m in matters] == ["overdue_unexplained"]
        matter = matters[0]
        assert matter["subject_unit_ids"] == ["unit-7"]
        assert matter["subject_staff_ids"] == ["handler-1"]
        assert matter["evidence_event_ids"] == [str(evidence[0])]
        assert "003" in matter["rule_source"]

        case = ok(await client.post(f"/v1/matters/{matter['matter_id']}/confirmation"), 201)
        case_path = f"/v1/cases/{case['record']['case_id']}"
        confirmed = ok(await client.get(f"/v1/matters/{matter['matter_id']}"))
        assert confirmed["accountability_case_id"] == case["record"]["case_id"]
        listed = ok(await client.get("/v1/cases", params={"stage": "opened"}))
        assert [c["accountability_case_id"] for c in listed] == [case["record"]["case_id"]]
        assert [d["step"] for d in case["deadlines"]] == ["investigation"]
        again = await client.post(
            f"/v1/matters/{matter['matter_id']}/dismissal", json={"reason": "changed my mind"}
        )
        assert again.status_code == 409

        # Out of order: a decision before the team, the defence and the report.
        refused = await client.post(
            f"{case_path}/decision",
            json={
                "decisions": [
                    {"subject": {"kind": "staff", "id": "handler-1"}, "outcome": "not_responsible"},
                ]
            },
        )
        assert refused.status_code == 422
        assert "003 问责程序" in refused.json()["detail"]

        ok(
            await client.post(
                f"{case_path}/team",
                json={
                    "members": ["inv-1", "inv-2", "inv-3"],
                    "conflicts": {"inv-3": "same office"},
                },
            )
        )
        forbidden = await client.post(f"{case_path}/extension", json={"reason": "x"})
        assert forbidden.status_code == 403
        ok(
            await client.post(
                f"{case_path}/extension", json={"reason": "witness on leave"}, headers=LEADER
            )
        )
        for subject in ("staff:handler-1", "unit:unit-7"):
            ok(
                await client.post(
                    f"{case_path}/statements",
                    json={
                        "subject_key": subject,
                        "text": "The workload was too high.",
                    },
                )
            )
        proposals = [
            {
                "subject": {"kind": "staff", "id": "handler-1"},
                "outcome": "sanctioned",
                "base_severity": "minor",
                "severity": "minor",
                "sanctions": ["written_self_criticism"],
            },
            {
                "subject": {"kind": "unit", "id": "unit-7"},
                "outcome": "sanctioned",
                "base_severity": "serious",
                "severity": "serious",
                "sanctions": ["circulated_criticism"],
            },
        ]
        ok(
            await client.post(
                f"{case_path}/report",
                json={
                    "facts": "Resolve clock passed without explanation.",
                    "conclusion": "Delay.",
                    "proposals": proposals,
                },
            )
        )
        before = ok(await client.get(case_path))
        decisions = [{k: v for k, v in p.items() if k != "base_severity"} for p in proposals]
        outside = [{**decisions[0], "sanctions": ["public_apology"]}, decisions[1]]
        refused = await client.post(f"{case_path}/decision", json={"decisions": outside})
        assert refused.status_code == 422
        assert "问责方式" in refused.json()["errors"][0]["message"]
        assert ok(await client.get(case_path)) == before, "a refusal changes nothing"

        decided = ok(await client.post(f"{case_path}/decision", json={"decisions": decisions}))
        assert decided["record"]["stage"] == "decided"

        # Nobody serves it in time: the missed step is marked once and published.
        clock.offset += timedelta(days=20)
        await run_timers(service)
        await run_timers(service)
        overdue = ok(await client.get("/v1/public/overdue-steps", headers={}))
        assert [(o["step"], o["status"]) for o in overdue] == [("service", "overdue")]

        served = ok(await client.post(f"{case_path}/service"))
        appeal_due = date.fromisoformat(served["record"]["appeal_due"])
        ok(await client.post(f"{case_path}/appeals", json={"subject_key": "staff:handler-1"}))
        corrected = ok(
            await client.post(
                f"{case_path}/appeals/staff:handler-1/decision",
                json={
                    "outcome": "revoked",
                    "reason": "the unit's head ordered the delay",
                },
            )
        )
        decisions = {d["subject"]["id"]: d["outcome"] for d in corrected["record"]["decisions"]}
        assert decisions == {"handler-1": "not_responsible", "unit-7": "sanctioned"}
        assert appeal_due > clock.now().date()

        types = await outbox_types(service)
        assert [t for t in types if t.startswith("accountability.")] == [
            "accountability.matter_opened",
            "accountability.case_opened",
            "accountability.decided",
            "accountability.step_overdue",
            "accountability.served",
            "accountability.appealed",
            "accountability.appeal_decided",
        ]
        assert await timers_of(service).verify_chain()
        assert REGISTRY.get_sample_value("huiyin_ledger_chain_intact") == 1
        opened = REGISTRY.get_sample_value(
            "huiyin_accountability_matters_opened_total", {"rule": "overdue_unexplained"}
        )
        assert opened is not None
        assert opened >= 1
        overdue_steps = REGISTRY.get_sample_value(
            "huiyin_accountability_steps_overdue_total", {"step": "service"}
        )
        assert overdue_steps is not None
        assert overdue_steps >= 1


async def test_a_matter_is_dismissed_with_its_reason(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    clock = MovableClock()
    async with running(postgres_url, broker_namespace, clock) as (service, client):
        opened = ok(
            await client.post(
                "/v1/matters",
                json={
                    "source": "citizen_complaint",
                    "title": "Rude reception",
                    "summary": "A visitor complained of rude treatment.",
                    "subject_staff_ids": ["clerk-2"],
                },
            ),
            201,
        )
        assert opened["status"] == "open"
        refused = await client.post(
            "/v1/matters",
            json={
                "source": "system_trigger",
                "title": "x",
                "summary": "x",
                "subject_staff_ids": ["a"],
            },
        )
        assert refused.status_code == 422
        dismissed = ok(
            await client.post(
                f"/v1/matters/{opened['matter_id']}/dismissal",
                json={"reason": "Not borne out by the recording."},
            )
        )
        assert (dismissed["status"], dismissed["decided_by"]) == ("dismissed", "officer-1")
        assert dismissed["dismissal_reason"] == "Not borne out by the recording."
        assert (await outbox_types(service)) == [
            "accountability.matter_opened",
            "accountability.matter_dismissed",
        ]
