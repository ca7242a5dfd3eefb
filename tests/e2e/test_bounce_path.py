"""Passing the buck (推诿): units return a case twice, a leader decides, accountability sees it.

Each return goes back to routing (``case.returned_by_unit``), which routes again; past the
bounce threshold the petition waits for a leader's decision by hand, and the chain of
returns opens an accountability matter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.e2e.flow import LABOUR_BUREAU, People, Petition, Portal, ok, wage_petition
from tests.e2e.harness import Staff, Suite, eventually

from huiyin_shared.http.auth import StaffRole


def open_cases(people: People, petition: Petition) -> list[dict[str, Any]]:
    return [c for c in people.cases(petition) if c["status"] not in ("returned", "closed")]


def return_case(suite: Suite, case: dict[str, Any], reason: str) -> None:
    staff = Staff(suite, f"{case['unit_id']}-h1", case["unit_id"], StaffRole.HANDLER)
    try:
        ok(
            staff.supervision.post(f"/v1/cases/{case['case_id']}/return", json={"reason": reason}),
            204,
        )
    finally:
        staff.close()


def test_a_case_returned_twice_goes_to_a_leader_and_to_accountability(
    suite: Suite, people: People, portal: Portal
) -> None:
    petition = portal.submit(wage_petition(summary="某物业公司拖欠保洁员工资两个月"))
    people.accept(petition)
    people.routed(petition)
    first = people.case_opened(petition)
    assert first["unit_id"] == LABOUR_BUREAU

    return_case(suite, first, "本单位不具备管辖权，应由劳动监察大队处理")
    second = eventually(
        lambda: [c for c in open_cases(people, petition) if c["case_id"] != first["case_id"]],
        what="the case routed again after the first return",
    )[0]
    return_case(suite, second, "属于物业纠纷，应由住建部门处理")

    def waiting_for_leader() -> dict[str, Any] | None:
        request: dict[str, Any] = ok(
            people.clerk.routing.get(f"/v1/routing-requests/{petition.petition_id}")
        )
        return request if request["status"] == "awaiting_manual" else None

    request = eventually(waiting_for_leader, what="the petition handed to a leader")
    assert request["bounce_count"] == 2

    decided = ok(
        people.leader.routing.post(
            f"/v1/routing-requests/{petition.petition_id}/decision",
            json={
                "mode": "assign",
                "lead_unit_id": LABOUR_BUREAU,
                "reason": "欠薪问题由人社局牵头办理，不得再退回",
            },
        )
    )
    assert decided["status"] == "routed"
    assert decided["lead_unit_id"] == LABOUR_BUREAU
    eventually(
        lambda: any(
            c["unit_id"] == LABOUR_BUREAU and c["case_id"] != first["case_id"]
            for c in open_cases(people, petition)
        ),
        what="the leader's assignment opening a case",
    )

    def matter() -> list[dict[str, Any]]:
        suite.advance_clock(dt.timedelta(seconds=20))  # past the rules' settling time
        found = ok(
            people.officer.accountability.get(
                "/v1/matters", params={"rule_id": "case_bounced", "limit": 500}
            )
        )
        return [m for m in found if m["petition_id"] == petition.petition_id]

    (opened,) = eventually(matter, interval=1, what="a matter about the bounced case")
    assert set(opened["subject_unit_ids"]) >= {first["unit_id"], second["unit_id"]}
