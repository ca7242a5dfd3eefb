"""Confidentiality across the suite (保密).

A report about a unit never reaches that unit; no message on the broker carries the
petitioner's identity (a queue of the test's own, bound to every event of the run,
sees every message); an identity read by a role not allowed to is refused, recorded and
opens an accountability matter.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.e2e.flow import LABOUR_BUREAU, People, Portal, every_case, ok, wage_petition
from tests.e2e.harness import Suite, eventually

IDENTITY = {
    "name": "赵保密",
    "phone": "13712345678",
    "id_number": "11010519491231002X",
    "address": "济南市历下区保密路99号",
    "work_unit": "保密建筑工程有限公司",
}
ACCUSED_PERSON = "钱被举报"
IDENTITY_KEYS = {"name", "phone", "id_number", "address", "work_unit", "identity", "email"}


def leaked(value: Any, path: str = "") -> list[str]:
    """Where an event's JSON holds an identity field or value."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in IDENTITY_KEYS:
                found.append(f"{path}.{key}")
            found += leaked(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += leaked(item, f"{path}[{index}]")
    elif isinstance(value, str):
        secrets = [*IDENTITY.values(), ACCUSED_PERSON, "13712345678", "110105194912310"]
        found += [f"{path} = {value!r}" for s in secrets if s in value]
    return found


def test_a_report_about_a_unit_never_reaches_it_and_no_event_carries_identity(
    suite: Suite, people: People, portal: Portal
) -> None:
    tap = suite.tap("confidentiality")
    petition = portal.submit(
        wage_petition(
            kind="report",
            identity=IDENTITY,
            accused_unit_ids=[LABOUR_BUREAU],
            accused_persons=[ACCUSED_PERSON],
            summary="举报历下区人社局工作人员对欠薪投诉不作为",
        )
    )
    people.accept(petition)
    request = people.routed(petition)
    assert request["lead_unit_id"] != LABOUR_BUREAU
    assert LABOUR_BUREAU not in request["participating_unit_ids"]
    case = people.case_opened(petition)
    assert case["unit_id"] != LABOUR_BUREAU

    # The accused unit's own staff do not see the case, nor can they open it.
    theirs = every_case(people.handler)
    assert petition.petition_id not in {c["petition_id"] for c in theirs}
    assert people.handler.supervision.get(f"/v1/cases/{case['case_id']}").status_code in (403, 404)

    # Every message of the run so far, whoever produced it: no identity anywhere.
    messages = eventually(lambda: suite.drain(tap), what="messages on the tap")
    seen_types = set()
    for message in messages:
        envelope = json.loads(message.body)
        seen_types.add(envelope["type"])
        assert not leaked(envelope), (envelope["type"], leaked(envelope))
    assert {"petition.registered", "petition.accepted", "petition.routed"} <= seen_types


def test_an_identity_read_by_a_role_not_allowed_opens_an_accountability_matter(
    suite: Suite, people: People, portal: Portal
) -> None:
    petition = portal.submit(wage_petition())
    refused = people.clerk.intake.post(
        f"/v1/petitions/{petition.petition_id}/identity-reads",
        json={"reason": "想联系信访人核实情况"},
    )
    assert refused.status_code == 403, refused.text
    assert "王某" not in refused.text

    def matter() -> list[dict[str, Any]]:
        # Trigger rules wait a settling time for late events (rules.yaml: settle_seconds);
        # the shared clock moves on instead of the test waiting a minute.
        suite.advance_clock(dt.timedelta(seconds=20))
        found = ok(
            people.officer.accountability.get(
                "/v1/matters", params={"rule_id": "identity_disclosed", "limit": 500}
            )
        )
        return [m for m in found if m["petition_id"] == petition.petition_id]

    (opened,) = eventually(
        matter, interval=1, what="an accountability matter for the identity read"
    )
    assert "clerk-01" in opened["subject_staff_ids"]
    assert opened["evidence_event_ids"]
