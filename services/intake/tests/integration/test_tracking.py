"""The tracking projection follows routing's and supervision's events (idempotent, any
order), and what follows closure: evaluation, review, re-review, finality."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.catalogue import build_envelope
from huiyin_shared.contracts.events import case, routing
from huiyin_shared.contracts.events.common import (
    ClockName,
    DeadlineClass,
    ReviewTier,
    RoutingMode,
    UnitRef,
)
from huiyin_shared.testing.events import petition_facts
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration

T = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
UNIT = UnitRef(
    unit_id="unit-labour", unit_name="历下区人力资源和社会保障局", division_code="370102"
)
SUPERIOR = UnitRef(unit_id="unit-city", unit_name="济南市信访局", division_code="370100")
INTERNAL_NOTE = "内部：承办人张科长意见"


def routed(petition_id: uuid.UUID) -> routing.PetitionRouted:
    return routing.PetitionRouted(
        petition_id=petition_id,
        decision_id=uuid.uuid4(),
        mode=RoutingMode.ASSIGN,
        lead_unit=UNIT,
        deadline_class=DeadlineClass.GENERAL,
        routed_at=T,
        reasons=[INTERNAL_NOTE],
        petition=petition_facts(),
    )


async def test_the_timeline_follows_other_services_in_any_order(intake: Any) -> None:
    key = {"X-API-Key": await intake.portal_key()}
    clock = FixedClock(intake.now)
    async with (
        intake.running(clock, consumers=True) as (client, _),
        intake.tap("petition.*") as events,
    ):
        created = (
            await client.post(
                "/v1/portal/petitions", json=intake.petition(channel="online"), headers=key
            )
        ).json()
        petition_id = uuid.UUID(created["petition_id"])
        credentials = {
            "registration_number": created["registration_number"],
            "query_code": created["query_code"],
        }
        await client.post(
            f"/v1/petitions/{petition_id}/decision",
            json={"decision": "accept"},
            headers=intake.clerk,
        )
        case_id = uuid.uuid4()
        opened = case.CaseOpened(
            case_id=case_id,
            petition_id=petition_id,
            decision_id=uuid.uuid4(),
            unit=UNIT,
            role="lead",
            mode=RoutingMode.ASSIGN,
            opened_at=T,
        )
        extended = case.CaseExtended(
            case_id=case_id,
            clock=ClockName.RESOLVE,
            days=30,
            new_due_date=date(2026, 6, 1),
            reason_public="需要现场调查取证",
            approved_by="leader-1",
            approved_at=T + timedelta(days=40),
        )
        closed = case.CaseClosed(
            case_id=case_id,
            petition_id=petition_id,
            closed_at=T + timedelta(days=60),
            result_summary_public="已责令公司补发拖欠工资",
        )
        duplicate = build_envelope(extended, producer="supervision", subject="x", occurred_at=T)
        # the extension and the closure arrive before the case is known to be this petition's
        await intake.emit(duplicate, duplicate, producer="supervision")
        await intake.emit(
            case.CaseAcceptedByUnit(
                case_id=case_id,
                unit=UNIT,
                handler_id="handler-7",
                accepted_at=T + timedelta(hours=3),
            ),
            build_envelope(
                case.CaseDeadlineSet(
                    case_id=case_id,
                    clock=ClockName.RESOLVE,
                    due_date=date(2026, 5, 2),
                    counting_mode="calendar_days",
                    provisional=False,
                    rule_source="002 五.3",
                ),
                producer="supervision",
                subject="x",
                occurred_at=T + timedelta(hours=4),
            ),
        )
        await intake.emit(routed(petition_id), producer="routing")
        await intake.emit(opened, closed)

        async def closed_seen() -> bool:
            answer = await client.post("/v1/portal/tracking", json=credentials, headers=key)
            return bool(answer.json()["status"] == "closed")

        await eventually(closed_seen, timeout=20)
        tracked = await client.post("/v1/portal/tracking", json=credentials, headers=key)
        body = tracked.json()
        assert [m["kind"] for m in body["timeline"]] == [
            "registered",
            "accepted",
            "transferred",
            "unit_accepted",
            "reply_due",
            "extended",
            "closed",
        ]
        by_kind = {m["kind"]: m["details"] for m in body["timeline"]}
        assert by_kind["transferred"]["unit_name"] == UNIT.unit_name
        assert by_kind["extended"] == {"reason": "需要现场调查取证", "new_due_date": "2026-06-01"}
        assert by_kind["closed"] == {"result_summary": "已责令公司补发拖欠工资"}
        for internal in (INTERNAL_NOTE, "handler-7", str(case_id), "leader-1"):
            assert internal not in tracked.text

        # after closure: evaluation once, then review; re-review only after the review's result
        clock.advance(timedelta(days=65))
        feedback = {**credentials, "satisfied": False, "comment": "补发金额不足"}
        assert (
            await client.post("/v1/portal/feedback", json=feedback, headers=key)
        ).status_code == 202
        rated = await intake.next_envelope(events, "petition.feedback_received")
        assert (rated.data["satisfied"], rated.data["tier"]) == (False, None)
        again = await client.post("/v1/portal/feedback", json=feedback, headers=key)
        assert again.status_code == 409
        too_early = await client.post(
            "/v1/portal/review-requests", json={**credentials, "tier": "re_review"}, headers=key
        )
        assert too_early.status_code == 409
        assert too_early.json()["type"] == "/problems/review-not-allowed"
        review = await client.post(
            "/v1/portal/review-requests", json={**credentials, "tier": "review"}, headers=key
        )
        assert review.status_code == 202, review.text
        requested = await intake.next_envelope(events, "petition.review_requested")
        assert requested.data["tier"] == "review"

        review_case = uuid.uuid4()
        await intake.emit(
            case.CaseClosed(
                case_id=review_case,
                petition_id=petition_id,
                closed_at=T + timedelta(days=80),
                result_summary_public="复查维持原处理意见",
            ),
            case.CaseReviewOpened(
                case_id=review_case,
                original_case_id=case_id,
                petition_id=petition_id,
                tier=ReviewTier.REVIEW,
                unit=SUPERIOR,
                opened_at=T + timedelta(days=66),
            ),
        )

        async def review_closed() -> bool:
            answer = await client.post("/v1/portal/tracking", json=credentials, headers=key)
            kinds = [m["kind"] for m in answer.json()["timeline"]]
            return "review_opened" in kinds and kinds.count("closed") == 2

        await eventually(review_closed, timeout=20)
        clock.advance(timedelta(days=20))
        re_review = await client.post(
            "/v1/portal/review-requests", json={**credentials, "tier": "re_review"}, headers=key
        )
        assert re_review.status_code == 202, re_review.text

        await intake.emit(
            case.CaseFinal(
                case_id=review_case,
                petition_id=petition_id,
                basis="re_review_concluded",
                final_at=T + timedelta(days=120),
            )
        )

        async def final_seen() -> bool:
            answer = await client.post("/v1/portal/tracking", json=credentials, headers=key)
            return bool(answer.json()["status"] == "final")

        await eventually(final_seen, timeout=20)
        after_final = await client.post(
            "/v1/portal/review-requests", json={**credentials, "tier": "re_review"}, headers=key
        )
        assert after_final.status_code == 409


async def test_a_review_asked_too_late_is_refused(intake: Any) -> None:
    key = {"X-API-Key": await intake.portal_key()}
    clock = FixedClock(intake.now)
    async with intake.running(clock, consumers=True) as (client, _):
        created = (
            await client.post(
                "/v1/portal/petitions", json=intake.petition(channel="online"), headers=key
            )
        ).json()
        credentials = {
            "registration_number": created["registration_number"],
            "query_code": created["query_code"],
        }
        not_yet = await client.post(
            "/v1/portal/review-requests", json={**credentials, "tier": "review"}, headers=key
        )
        assert not_yet.status_code == 409
        assert not_yet.json()["type"] == "/problems/not-yet-closed"
        await intake.emit(
            case.CaseClosed(
                case_id=uuid.uuid4(),
                petition_id=uuid.UUID(created["petition_id"]),
                closed_at=intake.now,
                result_summary_public="已答复",
            )
        )

        async def closed_seen() -> bool:
            answer = await client.post("/v1/portal/tracking", json=credentials, headers=key)
            return bool(answer.json()["status"] == "closed")

        await eventually(closed_seen, timeout=20)
        clock.advance(timedelta(days=31))
        late = await client.post(
            "/v1/portal/review-requests", json={**credentials, "tier": "review"}, headers=key
        )
        assert late.status_code == 422
        assert late.json()["type"] == "/problems/review-request-late"
