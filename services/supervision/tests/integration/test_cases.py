"""Cases end to end on real PostgreSQL and RabbitMQ: routing opens them, staff act, timers fire."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.events.common import DeadlineClass, ReviewTier, RoutingMode, UnitRef
from huiyin_shared.contracts.events.petition import (
    PetitionFeedbackReceived,
    PetitionReviewRequested,
)
from huiyin_shared.contracts.events.routing import EscalationContacts, PetitionRouted
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import StaffRole, issue_token
from huiyin_shared.messaging.tables import MessagingTables
from huiyin_shared.runtime import ServiceApp, build_app
from huiyin_shared.testing.events import petition_facts, petition_registered, publish
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually
from huiyin_supervision.bootstrap import bootstrap
from huiyin_supervision.cases.context import CaseContext
from huiyin_supervision.cases.sweep import sweep
from huiyin_supervision.config import SupervisionSettings
from huiyin_supervision.db import messaging, petitions_seen
from huiyin_supervision.domain.office import OfficeCalendar
from huiyin_supervision.unit_of_work import SupervisionUnitOfWork

pytestmark = pytest.mark.integration

ACCEPTED_AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # Monday 2 March 2026, 09:30 Shanghai
LEAD = UnitRef(unit_id="unit-labour", unit_name="区人社局", division_code="370102")
PARTNER = UnitRef(unit_id="unit-housing", unit_name="区住建局", division_code="370102")
SUPERIOR = UnitRef(unit_id="unit-city", unit_name="市信访局", division_code="370100")


def token(staff: str, role: StaffRole, unit: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(staff_id=staff, roles=[role], unit_id=unit)}"}


HANDLER = token("h-1", StaffRole.HANDLER, LEAD.unit_id)
OTHER_UNIT = token("h-9", StaffRole.HANDLER, PARTNER.unit_id)
SUPERVISOR = token("s-1", StaffRole.SUPERVISOR, "office-370102")
LEADER = token("l-1", StaffRole.LEADER, "office-370102")
CHECKLIST_OK = dict.fromkeys(
    [
        "material_complete",
        "questions_answered",
        "facts_clear",
        "evidence_sufficient",
        "characterisation_correct",
        "rules_applied_correctly",
        "handling_appropriate",
        "procedure_complete",
    ],
    True,
)


def routed(petition_id: uuid.UUID, mode: RoutingMode = RoutingMode.ASSIGN) -> PetitionRouted:
    return PetitionRouted(
        petition_id=petition_id,
        decision_id=uuid.uuid4(),
        mode=mode,
        lead_unit=LEAD,
        participating_units=[PARTNER],
        deadline_class=DeadlineClass.GENERAL,
        routed_at=ACCEPTED_AT,
        reasons=["competence: labour.wages"],
        petition=petition_facts(accepted_at=ACCEPTED_AT),
        escalation=EscalationContacts(
            unit_head_id="head-1", leader_in_charge_id="lead-2", superior_unit=SUPERIOR
        ),
    )


@dataclass
class Running:
    service: ServiceApp
    client: httpx.AsyncClient
    clock: FixedClock

    async def cases_for(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/cases", headers=headers)
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    async def post(self, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
        return await self.client.post(path, headers=headers, json=body)

    async def case(self, case_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/v1/cases/{case_id}", headers=SUPERVISOR)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def outbox_types(self) -> list[str]:
        tables: MessagingTables = messaging
        async with self.service.platform.sessions() as session:
            rows = await session.execute(
                select(tables.outbox.c.event_type).order_by(tables.outbox.c.position)
            )
            return [row[0] for row in rows]

    async def outbox_data(self, event_type: str) -> list[dict[str, Any]]:
        tables: MessagingTables = messaging
        async with self.service.platform.sessions() as session:
            rows = await session.execute(
                select(tables.outbox.c.envelope)
                .where(tables.outbox.c.event_type == event_type)
                .order_by(tables.outbox.c.position)
            )
            return [json.loads(row[0])["data"] for row in rows]


@pytest.fixture
async def running(postgres_url: str, broker_namespace: BrokerNamespace) -> AsyncIterator[Running]:
    await asyncio.to_thread(upgrade, "huiyin_supervision", postgres_url)
    settings = SupervisionSettings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        events_exchange=broker_namespace.exchange,
        queue_prefix=broker_namespace.prefix,
        relay_poll_interval_seconds=0.2,
    )
    clock = FixedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    service = bootstrap(settings, clock=clock, sweeper=False)
    broker_namespace.queue("supervision.petitions")
    app = build_app(service)
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://supervision") as client:
            yield Running(service, client, clock)


async def open_cases(running: Running) -> tuple[str, str]:
    petition_id = uuid.uuid4()
    await publish(running.service.platform, routed(petition_id), subject=f"petition:{petition_id}")

    async def both_opened() -> bool:
        mine = [
            c for c in await running.cases_for(SUPERVISOR) if c["petition_id"] == str(petition_id)
        ]
        return len(mine) == 2

    await eventually(both_opened)
    cases = [c for c in await running.cases_for(SUPERVISOR) if c["petition_id"] == str(petition_id)]
    lead = next(c for c in cases if c["role"] == "lead")
    partner = next(c for c in cases if c["role"] == "participating")
    return lead["case_id"], partner["case_id"]


async def test_routing_opens_a_case_per_unit_and_units_see_only_their_own(
    running: Running,
) -> None:
    lead_id, partner_id = await open_cases(running)
    assert [c["case_id"] for c in await running.cases_for(HANDLER)] == [lead_id]
    assert [c["case_id"] for c in await running.cases_for(OTHER_UNIT)] == [partner_id]
    hidden = await running.client.get(f"/v1/cases/{lead_id}", headers=OTHER_UNIT)
    assert hidden.status_code == 404
    case = await running.case(lead_id)
    [resolve] = case["clocks"]
    # 60 days from 2 March 2026 is 1 May, Labour Day: moved over the holiday to 6 May.
    assert resolve["due_date"] == "2026-05-06"
    assert resolve["explanation"]["rule"]["source"] == "002 五.3; 003"
    assert next(d["date"] for d in resolve["explanation"]["shifted_over"]) == "2026-05-01"
    types = await running.outbox_types()
    assert types.count("case.opened") == 2
    assert types.count("case.deadline_set") == 2


async def test_cases_are_listed_by_petition_within_what_the_caller_may_see(
    running: Running,
) -> None:
    lead_id, partner_id = await open_cases(running)
    petition_id = (await running.case(lead_id))["petition_id"]
    await open_cases(running)  # another petition's cases, at the same units

    async def listed(headers: dict[str, str], petition: str) -> list[str]:
        response = await running.client.get(
            "/v1/cases", params={"petition_id": petition}, headers=headers
        )
        assert response.status_code == 200, response.text
        return [c["case_id"] for c in response.json()]

    assert sorted(await listed(SUPERVISOR, petition_id)) == sorted([lead_id, partner_id])
    assert await listed(HANDLER, petition_id) == [lead_id]
    assert await listed(SUPERVISOR, str(uuid.uuid4())) == []
    refused = await running.client.get(
        "/v1/cases", params={"petition_id": "not-a-uuid"}, headers=SUPERVISOR
    )
    assert refused.status_code == 422


async def test_the_whole_lifecycle_with_extension_pause_redo_closure_and_review(
    running: Running,
) -> None:
    lead_id, _ = await open_cases(running)
    base = f"/v1/cases/{lead_id}"
    assert (await running.post(f"{base}/accept", HANDLER)).status_code == 204
    not_yet = await running.post(f"{base}/pause", HANDLER)
    assert not_yet.status_code == 422
    assert not_yet.json()["errors"][0]["type"] == "pause-only-in-progress"
    assert (await running.post(f"{base}/progress", HANDLER, note="走访核实")).status_code == 204

    too_long = await running.post(f"{base}/extension-request", HANDLER, days=31, reason="复杂")
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["type"] == "extension-at-most-30-days"
    asked = await running.post(f"{base}/extension-request", HANDLER, days=10, reason="需要鉴定")
    assert asked.status_code == 204
    not_a_leader = await running.post(
        f"{base}/extension-decision", SUPERVISOR, approve=True, reason="x"
    )
    assert not_a_leader.status_code == 403
    approved = await running.post(
        f"{base}/extension-decision", LEADER, approve=True, reason="需第三方鉴定"
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["due_date"] == "2026-05-11"  # 2 Mar + 70 days
    again = await running.post(f"{base}/extension-request", HANDLER, days=5, reason="再延")
    assert again.json()["errors"][0]["type"] == "extension-only-once"
    # Refusals change nothing: the due date stands and no event was written.
    assert (await running.case(lead_id))["clocks"][0]["due_date"] == "2026-05-11"
    assert (await running.outbox_types()).count("case.extension_requested") == 1
    assert "case.paused" not in await running.outbox_types()

    assert (await running.post(f"{base}/pause", HANDLER)).status_code == 204
    running.clock.current = datetime(2026, 3, 12, 2, 0, tzinfo=UTC)  # ten days of hearing
    resumed = await running.post(f"{base}/resume", HANDLER)
    assert resumed.status_code == 200
    assert resumed.json()[0]["due_date"] == "2026-05-21"  # 2 Mar + 80 days
    assert "Paused 10 days" in resumed.json()[0]["explanation"]["text"]

    result = await running.post(f"{base}/result", HANDLER, handling_opinion="已督促支付工资")
    assert result.status_code == 204
    late_note = await running.post(f"{base}/result", HANDLER, handling_opinion="again")
    assert late_note.json()["errors"][0]["type"] == "result-while-handling"
    failed = await running.post(
        f"{base}/review",
        SUPERVISOR,
        checklist={**CHECKLIST_OK, "questions_answered": False},
        comment="未答复加班费问题",
    )
    assert failed.json()["status"] == "in_progress"
    await running.post(f"{base}/result", HANDLER, handling_opinion="已支付工资及加班费")
    passed = await running.post(f"{base}/review", SUPERVISOR, checklist=CHECKLIST_OK)
    assert passed.json()["status"] == "result_approved"
    closed = await running.post(f"{base}/close", SUPERVISOR, public_summary="工资已足额支付")
    assert closed.status_code == 204
    on_closed = await running.post(f"{base}/result", HANDLER, handling_opinion="late")
    assert on_closed.status_code == 422
    types = await running.outbox_types()
    for expected in (
        "case.accepted_by_unit",
        "case.extension_requested",
        "case.extended",
        "case.paused",
        "case.resumed",
        "case.result_submitted",
        "case.returned_for_redo",
        "case.result_approved",
        "case.closed",
    ):
        assert expected in types, expected


async def test_a_unit_returns_a_case_it_is_not_competent_for(running: Running) -> None:
    lead_id, _ = await open_cases(running)
    returned = await running.post(f"/v1/cases/{lead_id}/return", HANDLER, reason="非本单位职责")
    assert returned.status_code == 204
    assert (await running.case(lead_id))["status"] == "returned"
    assert "case.returned_by_unit" in await running.outbox_types()
    accept = await running.post(f"/v1/cases/{lead_id}/accept", HANDLER)
    assert accept.json()["errors"][0]["type"] == "accept-only-when-assigned"


async def test_timers_remind_then_escalate_once_and_notices_are_numbered(
    running: Running,
) -> None:
    lead_id, _ = await open_cases(running)
    await running.post(f"/v1/cases/{lead_id}/accept", HANDLER)

    async def sweep() -> int:
        response = await running.post("/v1/timers/sweep", SUPERVISOR)
        assert response.status_code == 200, response.text
        fired: int = response.json()["timers_fired"]
        return fired

    # Monthly reminder for an assigned case on 2 April 2026 (a Thursday) at 09:00.
    running.clock.current = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)
    sent_before = REGISTRY.get_sample_value("huiyin_reminders_sent_total") or 0.0
    assert await sweep() == 2  # the lead's and the participant's clock
    assert await sweep() == 0
    assert REGISTRY.get_sample_value("huiyin_reminders_sent_total") == sent_before + 2
    # Due 6 May; overdue noticed on Thursday 7 May, the unit head the same morning.
    running.clock.current = datetime(2026, 5, 7, 2, 0, tzinfo=UTC)
    assert await sweep() == 2
    case = await running.case(lead_id)
    assert case["escalation_level"] == "unit_head"
    assert case["clocks"][0]["overdue_at"] is not None
    types = await running.outbox_types()
    assert types.count("case.overdue") == 2
    assert types.count("case.escalated") == 2
    overdue = await running.client.get("/v1/cases?overdue=true", headers=HANDLER)
    assert [c["case_id"] for c in overdue.json()] == [lead_id]

    first = await running.post(
        f"/v1/cases/{lead_id}/supervision-notices", SUPERVISOR, ground="overdue_unexplained", days=5
    )
    second = await running.post(
        f"/v1/cases/{lead_id}/supervision-notices", SUPERVISOR, ground="long_pending", days=5
    )
    assert first.status_code == 201, first.text
    assert first.json()["notice_number"].endswith("2026-0001")
    assert second.json()["notice_number"].endswith("2026-0002")
    after_notice = await running.client.get("/v1/cases?overdue=true", headers=HANDLER)
    assert after_notice.json() == []  # a new deadline runs
    # 5 working days from Thursday 7 May: Saturday 9 May is a Labour Day make-up day.
    assert first.json()["new_due_date"] == "2026-05-13"
    answer = await running.post(
        f"/v1/supervision-notices/{first.json()['notice_number']}/answer",
        HANDLER,
        answer="企业资金困难，已协调分期支付",
    )
    assert answer.status_code == 204

    requested = await running.post(f"/v1/cases/{lead_id}/ownership-request", LEADER)
    assert requested.status_code == 201, requested.text
    # 5 working days from Thursday 7 May 2026 (Saturday 9 May is worked): 13 May.
    assert requested.json()["due_date"] == "2026-05-13"
    twice = await running.post(f"/v1/cases/{lead_id}/ownership-request", LEADER)
    assert twice.json()["errors"][0]["type"] == "ownership-requested-once"
    owned = await running.post(f"/v1/cases/{lead_id}/ownership", LEADER, leader_id="lead-2")
    assert owned.json()["escalation_level"] == "leader_ownership"
    assert owned.json()["owner_leader_id"] == "lead-2"
    clocks = {c["clock"]: c for c in (await running.case(lead_id))["clocks"]}
    assert clocks["name_owner"]["state"] == "met"
    assert clocks["resolve"]["explanation"]["rule"]["source"] == "000 第十九条"
    assert clocks["resolve"]["due_date"] == "2026-07-07"  # 7 May + 2 months


async def close_lead(running: Running) -> tuple[str, str]:
    lead_id, _ = await open_cases(running)
    base = f"/v1/cases/{lead_id}"
    await running.post(f"{base}/accept", HANDLER)
    await running.post(f"{base}/result", HANDLER, handling_opinion="已处理")
    await running.post(f"{base}/review", SUPERVISOR, checklist=CHECKLIST_OK)
    closed = await running.post(f"{base}/close", SUPERVISOR, public_summary="已处理完毕")
    assert closed.status_code == 204, closed.text
    return lead_id, (await running.case(lead_id))["petition_id"]


async def test_dissatisfied_review_then_re_review_makes_the_matter_final(
    running: Running,
) -> None:
    lead_id, petition_id = await close_lead(running)
    pid = uuid.UUID(petition_id)
    platform = running.service.platform
    await publish(
        platform,
        PetitionFeedbackReceived(
            petition_id=pid,
            case_id=uuid.UUID(lead_id),
            satisfied=False,
            received_at=datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
        ),
        subject=f"petition:{pid}",
    )
    await publish(
        platform,
        PetitionReviewRequested(
            petition_id=pid,
            tier=ReviewTier.REVIEW,
            requested_at=datetime(2026, 3, 4, 2, 0, tzinfo=UTC),
        ),
        subject=f"petition:{pid}",
    )

    async def under_review() -> bool:
        return bool((await running.case(lead_id))["status"] == "under_review")

    await eventually(under_review)
    reviews = [
        c
        for c in await running.cases_for(SUPERVISOR)
        if c["review_tier"] == "review" and c["petition_id"] == petition_id
    ]
    [review] = reviews
    assert review["unit_id"] == SUPERIOR.unit_id  # the body above conducts the review
    detail = await running.case(review["case_id"])
    assert detail["clocks"][0]["explanation"]["rule"]["source"] == "001 复查时限"
    assert detail["clocks"][0]["due_date"] == "2026-03-19"  # 4 March + 15 days

    superior = token("r-1", StaffRole.HANDLER, SUPERIOR.unit_id)
    base = f"/v1/cases/{review['case_id']}"
    await running.post(f"{base}/accept", superior)
    await running.post(f"{base}/result", superior, handling_opinion="维持原处理意见")
    await running.post(f"{base}/review", SUPERVISOR, checklist=CHECKLIST_OK)
    await running.post(f"{base}/close", SUPERVISOR, public_summary="复查维持")
    await publish(
        platform,
        PetitionReviewRequested(
            petition_id=pid,
            tier=ReviewTier.RE_REVIEW,
            requested_at=datetime(2026, 3, 20, 2, 0, tzinfo=UTC),
        ),
        subject=f"petition:{pid}",
    )

    async def re_review_opened() -> bool:
        return any(c["review_tier"] == "re_review" for c in await running.cases_for(SUPERVISOR))

    await eventually(re_review_opened)
    re_review = next(
        c for c in await running.cases_for(SUPERVISOR) if c["review_tier"] == "re_review"
    )
    base = f"/v1/cases/{re_review['case_id']}"
    await running.post(f"{base}/accept", superior)
    await running.post(f"{base}/result", superior, handling_opinion="复核维持")
    await running.post(f"{base}/review", SUPERVISOR, checklist=CHECKLIST_OK)
    await running.post(f"{base}/close", SUPERVISOR, public_summary="复核维持，终结")
    assert (await running.case(re_review["case_id"]))["status"] == "final"
    types = await running.outbox_types()
    assert types.count("case.review_opened") == 2
    assert "case.final" in types


async def test_screening_on_demand_and_the_monthly_report(running: Running) -> None:
    await close_lead(running)
    platform = running.service.platform
    for day in (2, 3):
        petition_id = uuid.uuid4()
        await publish(
            platform,
            petition_registered(
                petition_id,
                petitioner_ref="pr_repeatrepeat0001",
                received_at=datetime(2026, 3, day, 1, 0, tzinfo=UTC),
            ),
            subject=f"petition:{petition_id}",
        )

    async def seen() -> bool:
        async with platform.sessions() as session:
            rows = (await session.execute(select(petitions_seen.c.petition_id))).all()
        return len(rows) == 2

    await eventually(seen)
    running.clock.current = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    run = await running.post("/v1/screening/runs", LEADER, owner_id="l-1", reason="两会前排查")
    assert run.status_code == 201, run.text
    assert run.json()["flagged"] == 1
    flags = (await running.client.get("/v1/screening/flags", headers=SUPERVISOR)).json()
    assert [f["category"] for f in flags] == ["repeat_petitioner"]
    assert flags[0]["owner_id"] == "l-1"
    assert flags[0]["due_date"] == "2026-03-24"  # 10 working days
    assert "screening.flagged" in await running.outbox_types()
    unit_staff = await running.client.get("/v1/screening/flags", headers=HANDLER)
    assert unit_staff.status_code == 403

    report = await running.client.get("/v1/reports/2026-03", headers=SUPERVISOR)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["cases"] == 2
    assert body["closed"] == 1
    assert body["by"]["status"] == {"assigned": 1, "closed": 1}
    csv_report = await running.client.get(
        "/v1/reports/2026-Q1", params={"format": "csv"}, headers=SUPERVISOR
    )
    assert csv_report.headers["content-type"].startswith("text/csv")
    assert "2026-Q1,unit_id,unit-labour,1" in csv_report.text
    bad = await running.client.get("/v1/reports/2026-13", headers=SUPERVISOR)
    assert bad.status_code == 422


async def test_two_sweepers_at_once_fire_each_timer_exactly_once(running: Running) -> None:
    for _ in range(3):
        await open_cases(running)
    service = running.service
    ctx = CaseContext(office=OfficeCalendar(BusinessCalendar(), ZoneInfo("Asia/Shanghai")))
    factory = service.platform.unit_of_work_factory(SupervisionUnitOfWork)
    now = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)  # the monthly reminder of every clock

    async def one_replica() -> int:
        async with factory() as uow:
            fired = await sweep(uow, ctx, now=now, limit=4)
            await asyncio.sleep(0.2)  # hold the locks while the other replica sweeps
            await uow.commit()
        return fired

    first, second = await asyncio.gather(one_replica(), one_replica())
    assert first + second == 6
    assert {first, second} == {2, 4}
    assert await one_replica() == 0
    assert (await running.outbox_types()).count("case.reminder_sent") == 6


async def test_a_redelivered_routing_decision_opens_nothing_twice(running: Running) -> None:
    petition_id = uuid.uuid4()
    event = routed(petition_id)
    for _ in range(2):
        # Two envelopes (two event ids) with the same decision: the inbox cannot catch it,
        # the assignment key does.
        await publish(running.service.platform, event, subject=f"petition:{petition_id}")

    async def delivered() -> bool:
        async with running.service.platform.sessions() as session:
            rows = (await session.execute(select(messaging.inbox.c.event_id))).all()
        return len(rows) == 2

    await eventually(delivered)
    mine = [c for c in await running.cases_for(SUPERVISOR) if c["petition_id"] == str(petition_id)]
    assert len(mine) == 2
    assert (await running.outbox_types()).count("case.opened") == 2


async def test_an_escalation_waits_for_a_staff_action_holding_the_case(running: Running) -> None:
    lead_id, _ = await open_cases(running)
    ctx = CaseContext(office=OfficeCalendar(BusinessCalendar(), ZoneInfo("Asia/Shanghai")))
    factory = running.service.platform.unit_of_work_factory(SupervisionUnitOfWork)
    now = datetime(2026, 5, 7, 2, 0, tzinfo=UTC)  # overdue and the unit head's step are due
    async with factory() as staff_action:
        assert await staff_action.cases.get(uuid.UUID(lead_id), lock=True) is not None
        async with factory() as uow:
            handled = await sweep(uow, ctx, now=now)
            await uow.commit()
        assert handled == 1  # only the participant's clock; the lead's stays due
        await staff_action.rollback()
    async with factory() as uow:
        assert await sweep(uow, ctx, now=now) == 1
        await uow.commit()
    assert (await running.case(lead_id))["escalation_level"] == "unit_head"
    assert (await running.outbox_types()).count("case.overdue") == 2


def clock_named(case: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in case["clocks"] if c["clock"] == name)


async def test_closure_starts_the_notify_clock_and_telling_the_petitioner_meets_it(
    running: Running,
) -> None:
    lead_id, _ = await close_lead(running)  # Monday 2 March 2026
    notify = clock_named(await running.case(lead_id), "notify_petitioner")
    assert notify["state"] == "running"
    assert notify["due_date"] == "2026-03-05"  # 3 calendar days
    assert notify["explanation"]["rule"]["source"] == "003 督办制度(六)"
    published = await running.outbox_data("case.deadline_set")
    assert [d["due_date"] for d in published if d["clock"] == "notify_petitioner"] == ["2026-03-05"]
    told = f"/v1/cases/{lead_id}/petitioner-told"
    by_phone = await running.post(told, HANDLER, channel="phone", told_at="2026-03-03T10:00+08:00")
    assert by_phone.status_code == 422
    assert by_phone.json()["errors"][0]["type"] == "no-result-by-phone"
    meeting = await running.post(
        told, HANDLER, channel="representatives_meeting", told_at="2026-03-03T10:00+08:00"
    )
    assert meeting.json()["errors"][0]["type"] == "notify-channel-for-petition"
    other_unit = await running.post(
        told, OTHER_UNIT, channel="written_reply", told_at="2026-03-03T10:00+08:00"
    )
    assert other_unit.status_code == 404
    assert clock_named(await running.case(lead_id), "notify_petitioner")["state"] == "running"

    running.clock.current = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
    answer = await running.post(
        told, HANDLER, channel="written_reply", told_at="2026-03-03T10:00+08:00", note="挂号信"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"due_date": "2026-03-05", "on_time": True}
    again = await running.post(
        told, HANDLER, channel="written_reply", told_at="2026-03-04T09:00+08:00"
    )
    assert again.json()["errors"][0]["type"] == "told-once"
    case = await running.case(lead_id)
    met = clock_named(case, "notify_petitioner")
    assert met["state"] == "met"
    entry = next(h for h in case["history"] if h["action"] == "petitioner_told")
    assert entry["actor"] == "h-1"
    assert entry["detail"]["channel"] == "written_reply"
    assert entry["detail"]["told_at"] == "2026-03-03T02:00:00+00:00"

    # Met clocks fire nothing: no reminder, no overdue, however late the sweep.
    running.clock.current = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
    assert (await running.post("/v1/timers/sweep", SUPERVISOR)).json()["timers_fired"] == 0
    types = await running.outbox_types()
    assert "case.overdue" not in types
    assert "case.reminder_sent" not in types


async def test_no_word_to_the_petitioner_within_three_days_is_overdue_once(
    running: Running,
) -> None:
    lead_id, _ = await close_lead(running)  # Monday 2 March 2026, due Thursday 5 March

    async def sweep() -> int:
        response = await running.post("/v1/timers/sweep", SUPERVISOR)
        assert response.status_code == 200, response.text
        fired: int = response.json()["timers_fired"]
        return fired

    running.clock.current = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)  # 09:00 on the due day
    assert await sweep() == 1
    [reminder] = await running.outbox_data("case.reminder_sent")
    assert reminder["clock"] == "notify_petitioner"
    running.clock.current = datetime(2026, 3, 6, 1, 30, tzinfo=UTC)  # the next working day
    assert await sweep() == 1
    assert await sweep() == 0
    running.clock.current = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)  # escalation steps pass
    while await sweep():
        pass
    [overdue] = await running.outbox_data("case.overdue")
    assert overdue["case_id"] == lead_id
    assert overdue["clock"] == "notify_petitioner"
    assert overdue["due_date"] == "2026-03-05"
    assert "case.escalated" not in await running.outbox_types()  # the case is closed
    # Telling the petitioner late still meets the clock, and says it was late.
    late = await running.post(
        f"/v1/cases/{lead_id}/petitioner-told",
        SUPERVISOR,
        channel="written_reply",
        told_at="2026-03-30T09:00+08:00",
    )
    assert late.json() == {"due_date": "2026-03-05", "on_time": False}
    clock = clock_named(await running.case(lead_id), "notify_petitioner")
    assert clock["state"] == "met"
    assert clock["overdue_at"] is not None


async def test_a_transfer_owes_the_petitioner_word_of_it(running: Running) -> None:
    petition_id = uuid.uuid4()
    event = PetitionRouted(
        petition_id=petition_id,
        decision_id=uuid.uuid4(),
        mode=RoutingMode.TRANSFER,
        lead_unit=LEAD,
        deadline_class=DeadlineClass.NO_RESULT_REPORT,
        routed_at=ACCEPTED_AT,
        reasons=["competence: labour.wages"],
        petition=petition_facts(accepted_at=ACCEPTED_AT, anonymous=True),
    )
    await publish(running.service.platform, event, subject=f"petition:{petition_id}")

    async def opened() -> list[dict[str, Any]]:
        return [
            c for c in await running.cases_for(SUPERVISOR) if c["petition_id"] == str(petition_id)
        ]

    async def is_open() -> bool:
        return bool(await opened())

    await eventually(is_open)
    [case] = await opened()
    [notify] = (await running.case(case["case_id"]))["clocks"]
    assert notify["clock"] == "notify_petitioner"
    assert notify["due_date"] == "2026-03-05"  # routed Monday 2 March
    told = f"/v1/cases/{case['case_id']}/petitioner-told"
    reply = await running.post(
        told, SUPERVISOR, channel="written_reply", told_at="2026-03-02T10:00+08:00"
    )
    assert reply.json()["errors"][0]["type"] == "notify-channel-for-petition"
    published = await running.post(
        told, SUPERVISOR, channel="published_result", told_at="2026-03-02T10:00+08:00"
    )
    assert published.status_code == 200, published.text
