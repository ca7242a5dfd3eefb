"""When a unit lets the time limit pass: reminders, overdue, a supervision notice, escalation,
then accountability — a matter opened, confirmed, investigated, the subject heard, decided,
served, and the appeal decided.

Time moves on the shared controllable clock, for every process at once. The test runs
late in the session (see conftest): the clock stays moved for the tests after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.e2e.flow import LABOUR_BUREAU, People, Portal, every_case, ok, wage_petition
from tests.e2e.harness import Suite, eventually


def days_until(suite: Suite, due: str, *, after: int = 0) -> dt.timedelta:
    """From the shared clock's now to ``after`` days past the end of the due day (office time)."""
    now = suite.clock.now()
    end = dt.datetime.combine(
        dt.date.fromisoformat(due) + dt.timedelta(days=after + 1),
        dt.time(2, 0),
        tzinfo=dt.timezone(dt.timedelta(hours=8)),
    )
    return end - now


def resolve_clock(people: People, case_id: str) -> dict[str, Any]:
    (clock,) = [c for c in people.case(case_id)["clocks"] if c["clock"] == "resolve"]
    return clock


def test_a_deadline_missed_ends_in_an_accountability_decision_and_its_appeal(
    suite: Suite, people: People, portal: Portal
) -> None:
    petition = portal.submit(wage_petition(summary="某餐饮公司拖欠厨师工资半年"))
    people.accept(petition)
    people.routed(petition)
    case = people.case_opened(petition)
    case_id = case["case_id"]
    ok(people.handler.supervision.post(f"/v1/cases/{case_id}/accept"), 204)
    due = resolve_clock(people, case_id)["due_date"]

    # A few days before the due date the unit is reminded.
    suite.advance_clock(days_until(suite, due, after=-3))
    eventually(
        lambda: resolve_clock(people, case_id)["reminders_sent"] >= 1,
        what="a reminder before the due date",
    )

    # The due date passes with no result: the case is overdue.
    suite.advance_clock(days_until(suite, due, after=1))
    eventually(
        lambda: resolve_clock(people, case_id)["overdue_at"] is not None,
        what="the case overdue",
    )
    overdue = every_case(people.supervisor, overdue=True)
    assert case_id in {c["case_id"] for c in overdue}

    notice = ok(
        people.supervisor.supervision.post(
            f"/v1/cases/{case_id}/supervision-notices",
            json={"ground": "overdue_unexplained", "days": 5},
        ),
        200,
        201,
    )
    assert notice

    # Working days pass after the due date: the case climbs the escalation ladder.
    suite.advance_clock(dt.timedelta(days=8))
    eventually(
        lambda: people.case(case_id)["escalation_level"] not in ("handler",),
        what="the case escalated",
    )

    # Accountability: the overdue case without an explanation opens a matter.
    def matter() -> list[dict[str, Any]]:
        suite.advance_clock(dt.timedelta(seconds=20))  # past the rules' settling time
        found = ok(
            people.officer.accountability.get(
                "/v1/matters", params={"rule_id": "overdue_unexplained", "limit": 500}
            )
        )
        return [m for m in found if m["case_id"] == case_id]

    (opened,) = eventually(matter, interval=1, what="an accountability matter for the case")
    assert LABOUR_BUREAU in opened["subject_unit_ids"]
    handler = people.handler.staff_id
    assert handler in opened["subject_staff_ids"]

    officer = people.officer.accountability
    record = ok(officer.post(f"/v1/matters/{opened['matter_id']}/confirmation"), 201)["record"]
    acc = record["case_id"]
    ok(officer.post(f"/v1/cases/{acc}/team", json={"members": ["officer-01", "officer-02"]}))
    # Every subject is heard (陈述申辩) before the report; the handler is sanctioned lightly,
    # the unit found not responsible as a unit.
    decisions = []
    for subject in record["subjects"]:
        key = f"{subject['kind']}:{subject['id']}"
        ok(
            officer.post(
                f"/v1/cases/{acc}/statements",
                json={"subject_key": key, "text": "案件较多，未能按期办结"},
            )
        )
        staff = subject["kind"] == "staff"
        decisions.append(
            {
                "subject": subject,
                "outcome": "sanctioned" if staff else "not_responsible",
                "severity": "minor" if staff else None,
                "sanctions": ["admonishment_talk"] if staff else [],
            }
        )
    assert f"staff:{handler}" in {f"{s['kind']}:{s['id']}" for s in record["subjects"]}
    ok(
        officer.post(
            f"/v1/cases/{acc}/report",
            json={
                "facts": "承办人超过办理期限未办结，也未报告原因",
                "conclusion": "办事拖拉，情节较轻",
                "proposals": [
                    {
                        "subject": d["subject"],
                        "outcome": d["outcome"],
                        "base_severity": "minor",
                        "severity": d["severity"],
                        "sanctions": d["sanctions"],
                    }
                    for d in decisions
                ],
            },
        )
    )
    decided = ok(officer.post(f"/v1/cases/{acc}/decision", json={"decisions": decisions}))["record"]
    assert decided["stage"] == "decided"
    served = ok(officer.post(f"/v1/cases/{acc}/service"))["record"]
    assert served["stage"] == "served"
    ok(officer.post(f"/v1/cases/{acc}/appeals", json={"subject_key": f"staff:{handler}"}))
    appealed = ok(
        officer.post(
            f"/v1/cases/{acc}/appeals/staff:{handler}/decision",
            json={"outcome": "upheld", "reason": "事实清楚，处理适当，维持原决定"},
        )
    )
    (appeal,) = appealed["record"]["appeals"]
    assert appeal["outcome"] == "upheld"
    # The ledger may lag: the clock's moves made the other cases' events too.
    eventually(
        lambda: (
            {"case.reminder_sent", "case.overdue", "case.supervision_notice_issued"}
            <= set(people.ledger_types(f"case:{case_id}"))
        ),
        interval=1,
        what="the case's clock events in the ledger",
    )
