"""A petition's whole life across the four running services, driven as people would.

Portal submission → acceptance → routing → case opened with its due dates → the unit
accepts → extension with a reason → result → result review → closed → the petitioner's
timeline shows the public steps → unsatisfied → review → re-review → final; the ledger
records it all and verifies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.e2e.flow import (
    ALL_CLEAR,
    DISTRICT_GOVERNMENT,
    LABOUR_BUREAU,
    People,
    Petition,
    Portal,
    ok,
    wage_petition,
)
from tests.e2e.harness import eventually


def resolve_clock(case: dict[str, Any]) -> dict[str, Any]:
    (clock,) = [c for c in case["clocks"] if c["clock"] == "resolve"]
    return clock


def handle_to_closure(people: People, handler: Any, case_id: str, summary: str) -> None:
    """The unit accepts, answers, the result passes review and the case is closed."""
    ok(handler.supervision.post(f"/v1/cases/{case_id}/accept"), 204)
    ok(
        handler.supervision.post(
            f"/v1/cases/{case_id}/result", json={"handling_opinion": f"经查：{summary}"}
        ),
        204,
    )
    reviewed = ok(
        people.supervisor.supervision.post(
            f"/v1/cases/{case_id}/review", json={"checklist": ALL_CLEAR}
        )
    )
    assert reviewed["status"] == "result_approved"
    ok(
        people.supervisor.supervision.post(
            f"/v1/cases/{case_id}/close", json={"public_summary": summary}
        ),
        204,
    )


def timeline_kinds(portal: Portal, petition: Petition) -> list[str]:
    return [m["kind"] for m in portal.track(petition)["timeline"]]


def test_a_petition_from_the_portal_to_its_final_answer(people: People, portal: Portal) -> None:
    key, body = f"e2e-main-{uuid.uuid4()}", wage_petition()
    petition = portal.submit(body, idempotency_key=key)
    assert portal.submit(body, idempotency_key=key) == petition, "a retried submission is one"
    assert portal.track(petition)["status"]

    people.accept(petition)
    request = people.routed(petition)
    assert request["lead_unit_id"] == LABOUR_BUREAU

    opened = people.case_opened(petition)
    assert opened["unit_id"] == LABOUR_BUREAU
    assert opened["status"] == "assigned"
    case_id = opened["case_id"]
    clock = resolve_clock(people.case(case_id))
    due = dt.date.fromisoformat(clock["due_date"])
    assert clock["state"] == "running"
    assert clock["explanation"]["rule"]["source"]
    assert clock["explanation"]["text"]

    # The unit accepts; an extension of 30 days is asked with a reason and approved.
    ok(people.handler.supervision.post(f"/v1/cases/{case_id}/accept"), 204)
    ok(
        people.handler.supervision.post(
            f"/v1/cases/{case_id}/extension-request",
            json={"days": 30, "reason": "需调取施工方三个月的工资发放记录"},
        ),
        204,
    )
    extended = ok(
        people.leader.supervision.post(
            f"/v1/cases/{case_id}/extension-decision",
            json={"approve": True, "reason": "调查取证需要时间"},
        )
    )
    assert extended["extension_granted_days"] == 30
    assert dt.date.fromisoformat(extended["due_date"]) > due

    # Result, review against the checklist, closure with the answer told to the petitioner.
    ok(
        people.handler.supervision.post(
            f"/v1/cases/{case_id}/result",
            json={"handling_opinion": "经查属实，已责令公司十日内足额支付拖欠工资"},
        ),
        204,
    )
    reviewed = ok(
        people.supervisor.supervision.post(
            f"/v1/cases/{case_id}/review", json={"checklist": ALL_CLEAR}
        )
    )
    assert reviewed["status"] == "result_approved"
    ok(
        people.supervisor.supervision.post(
            f"/v1/cases/{case_id}/close", json={"public_summary": "已责令公司支付拖欠工资"}
        ),
        204,
    )
    assert people.case(case_id)["status"] == "closed"

    # The petitioner sees each public step, in order, through the portal.
    kinds = eventually(
        lambda: (k := timeline_kinds(portal, petition)) and "closed" in str(k) and k,
        what="the closure on the petitioner's timeline",
    )
    assert kinds[0] == "registered"
    assert kinds.index("accepted") < len(kinds) - 1

    # Unsatisfied: the petitioner asks for review (复查), then re-review (复核).
    ok(portal.client.post("/feedback", json={**petition.credentials, "satisfied": False}), 202)
    ok(portal.client.post("/review-requests", json={**petition.credentials, "tier": "review"}), 202)
    review = people.case_opened(petition, tier="review")
    assert review["unit_id"] == DISTRICT_GOVERNMENT
    assert review["original_case_id"] == case_id
    handle_to_closure(people, people.reviewer, review["case_id"], "复查维持原处理意见")
    eventually(
        lambda: timeline_kinds(portal, petition).count("closed") == 2,
        what="the review's closure on the petitioner's timeline",
    )

    ok(
        portal.client.post("/review-requests", json={**petition.credentials, "tier": "re_review"}),
        202,
    )
    re_review = people.case_opened(petition, tier="re_review")
    handle_to_closure(people, people.reviewer, re_review["case_id"], "复核维持复查意见")

    eventually(
        lambda: people.case(re_review["case_id"])["status"] == "final",
        what="the re-review's answer final",
    )
    tracked = eventually(
        lambda: (t := portal.track(petition))["status"] == "final" and t,
        what="the petitioner told the matter is final",
    )
    assert [m["kind"] for m in tracked["timeline"]][-1] == "final"

    # The ledger holds the petition's events and its chain verifies.
    recorded = people.ledger_types(f"petition:{petition.petition_id}")
    assert {"petition.registered", "petition.accepted", "petition.routed"} <= set(recorded)
    verification = people.ledger_verifies()
    assert verification["intact"] is True, verification
