"""The people who act on a petition, over the services' HTTP APIs only.

A portal (with its API key), a registration clerk, the handling unit's staff, a leader, a
supervisor and a discipline officer, each with a token for their unit. Helpers wait for
the effects events carry from one service to the next.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from tests.e2e.harness import Staff, Suite, eventually

from huiyin_shared.http.auth import StaffRole

OFFICE = "370102-xfb"
"""历下区信访局: the office that registers petitions in the sample registry."""
LABOUR_BUREAU = "370102-rsj"
"""历下区人力资源和社会保障局: competent for unpaid wages in 历下区."""
DISTRICT_GOVERNMENT = "370102-zf"
"""The body above the district's departments: it conducts reviews."""
LEADER_IN_CHARGE = "370102-zf-fz1"

ALL_CLEAR = {
    "material_complete": True,
    "questions_answered": True,
    "facts_clear": True,
    "evidence_sufficient": True,
    "characterisation_correct": True,
    "rules_applied_correctly": True,
    "handling_appropriate": True,
    "procedure_complete": True,
}


def ok(response: httpx.Response, *statuses: int) -> Any:
    """The JSON answer (or None), after checking the status; the problem shown otherwise."""
    expected = statuses or (200,)
    assert response.status_code in expected, (
        f"{response.request.method} {response.request.url} -> {response.status_code}: "
        f"{response.text}"
    )
    return response.json() if response.content else None


def wage_petition(**changes: Any) -> dict[str, Any]:
    """A petition about unpaid wages from a petitioner of its own (so never a repeat)."""
    phone = f"139{secrets.randbelow(10**8):08d}"
    body: dict[str, Any] = {
        "channel": "online",
        "kind": "help_request",
        "anonymous": False,
        "received_at": datetime.now(UTC).isoformat(),
        "identity": {"name": "王某", "phone": phone},
        "division_code": "370102",
        "subject_category": "labour.wages",
        "summary": "某建筑公司拖欠农民工工资三个月",
    }
    body.update(changes)
    return body


CASES_PAGE = 500
"""The most cases supervision lists at once."""


def every_case(staff: Staff, **filters: Any) -> list[dict[str, Any]]:
    """Every case ``staff`` may see, over every page: the fault tests alone open hundreds."""
    found: list[dict[str, Any]] = []
    while True:
        page: list[dict[str, Any]] = ok(
            staff.supervision.get(
                "/v1/cases", params={**filters, "limit": CASES_PAGE, "offset": len(found)}
            )
        )
        found += page
        if len(page) < CASES_PAGE:
            return found


@dataclass
class Petition:
    petition_id: str
    registration_number: str
    query_code: str

    @property
    def credentials(self) -> dict[str, str]:
        return {"registration_number": self.registration_number, "query_code": self.query_code}


class Portal:
    """A public portal (web, WeChat) holding an API key intake issued."""

    def __init__(self, suite: Suite, key: str) -> None:
        self.client = httpx.Client(
            base_url=f"{suite.url('intake')}/v1/portal", headers={"X-API-Key": key}, timeout=30
        )

    def submit(self, body: dict[str, Any], idempotency_key: str | None = None) -> Petition:
        answer = ok(
            self.client.post(
                "/petitions",
                json=body,
                headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
            ),
            200,
            201,
        )
        return Petition(answer["petition_id"], answer["registration_number"], answer["query_code"])

    def track(self, petition: Petition) -> dict[str, Any]:
        answer: dict[str, Any] = ok(self.client.post("/tracking", json=petition.credentials))
        return answer

    def close(self) -> None:
        self.client.close()


@dataclass
class People:
    """Everyone who acts on the walk-through's petitions."""

    clerk: Staff
    handler: Staff
    leader: Staff
    supervisor: Staff
    reviewer: Staff
    officer: Staff

    @classmethod
    def of(cls, suite: Suite) -> People:
        r = StaffRole
        return cls(
            clerk=Staff(suite, "clerk-01", OFFICE, r.CLERK),
            handler=Staff(suite, "rsj-handler-01", LABOUR_BUREAU, r.HANDLER),
            leader=Staff(suite, LEADER_IN_CHARGE, DISTRICT_GOVERNMENT, r.LEADER),
            supervisor=Staff(suite, "supervisor-01", OFFICE, r.SUPERVISOR),
            reviewer=Staff(suite, "zf-handler-01", DISTRICT_GOVERNMENT, r.HANDLER),
            officer=Staff(suite, "officer-01", "370100-jw", r.DISCIPLINE_OFFICER),
        )

    def close(self) -> None:
        for staff in (
            self.clerk,
            self.handler,
            self.leader,
            self.supervisor,
            self.reviewer,
            self.officer,
        ):
            staff.close()

    def accept(self, petition: Petition) -> None:
        answer = ok(
            self.clerk.intake.post(
                f"/v1/petitions/{petition.petition_id}/decision", json={"decision": "accept"}
            )
        )
        assert answer["status"] == "accepted"

    def routed(self, petition: Petition) -> dict[str, Any]:
        def decided() -> dict[str, Any] | None:
            answer = self.clerk.routing.get(f"/v1/routing-requests/{petition.petition_id}")
            if answer.status_code == 404:
                return None
            request: dict[str, Any] = ok(answer)
            return request if request["status"] == "routed" else None

        found: dict[str, Any] = eventually(decided, what="the routing decision")
        return found

    def decisions(self, petition: Petition) -> list[dict[str, Any]]:
        """Every routing decision on the petition, with its reasons."""
        answer = ok(
            self.clerk.routing.get(f"/v1/routing-requests/{petition.petition_id}/explanation")
        )
        decisions: list[dict[str, Any]] = answer["decisions"]
        return decisions

    def cases(self, petition: Petition, *, tier: str | None = None) -> list[dict[str, Any]]:
        """The petition's cases at a review tier (None: the original), as oversight sees them."""
        return [
            c
            for c in every_case(self.supervisor)
            if c["petition_id"] == petition.petition_id and c["review_tier"] == tier
        ]

    def case_opened(self, petition: Petition, *, tier: str | None = None) -> dict[str, Any]:
        found: list[dict[str, Any]] = eventually(
            lambda: self.cases(petition, tier=tier), what=f"a case (tier {tier}) opened"
        )
        (case,) = found
        return case

    def case(self, case_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = ok(self.supervisor.supervision.get(f"/v1/cases/{case_id}"))
        return answer

    def ledger_verifies(self) -> dict[str, Any]:
        answer: dict[str, Any] = ok(self.officer.accountability.get("/v1/ledger/verify"))
        return answer

    def ledger_types(self, subject: str) -> list[str]:
        types: list[str] = []
        after = 0
        while True:
            page = ok(
                self.officer.accountability.get(
                    "/v1/ledger/entries", params={"after": after, "limit": 1000}
                )
            )
            types += [e["event_type"] for e in page["entries"] if e["subject"] == subject]
            if page["next_after"] is None:
                return types
            after = page["next_after"]
