"""A service SIGKILLed while petitions flow, then restarted: nothing lost, nothing done twice.

Petitions are submitted through the portal and accepted by a clerk, one after another,
while one service is killed without warning part-way and restarted. Afterwards every
acknowledged petition must reach exactly one case. The figures are printed in the Jepsen
style (sent, acknowledged, lost, duplicated effects, time to recover); timings vary with
the machine's load and are not asserted.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from tests.e2e.flow import People, Petition, Portal, wage_petition
from tests.e2e.harness import SERVICES, Suite, eventually

PETITIONS = 24
KILL_AFTER = 8


def original_cases(people: People) -> Counter[str]:
    """Original (not review) lead cases per petition, over every page."""
    found: Counter[str] = Counter()
    offset = 0
    while True:
        page = people.supervisor.supervision.get(
            "/v1/cases", params={"limit": 500, "offset": offset}
        )
        page.raise_for_status()
        items: list[dict[str, Any]] = page.json()
        found.update(
            c["petition_id"] for c in items if c["review_tier"] is None and c["role"] == "lead"
        )
        if len(items) < 500:
            return found
        offset += 500


@pytest.mark.parametrize("victim", SERVICES)
def test_a_service_killed_mid_flow_loses_nothing_and_does_nothing_twice(
    suite: Suite, people: People, portal: Portal, victim: str
) -> None:
    acknowledged: list[Petition] = []
    retries = 0
    killed = threading.Event()

    def retried(action: Any) -> Any:
        """As a portal and a clerk do: try again until the service answers."""
        nonlocal retries
        deadline = time.monotonic() + 120
        while True:
            try:
                return action()
            except (AssertionError, httpx.HTTPError):
                if time.monotonic() > deadline:
                    raise
                retries += 1
                time.sleep(0.5)

    def accept(petition: Petition) -> None:
        answer = people.clerk.intake.post(
            f"/v1/petitions/{petition.petition_id}/decision", json={"decision": "accept"}
        )
        # A retry after a lost answer finds the petition accepted already.
        assert answer.status_code == 200 or "already accepted" in answer.text, answer.text

    def flow() -> None:
        for number in range(PETITIONS):
            if number == KILL_AFTER:
                killed.wait(timeout=60)
            body = wage_petition(summary=f"故障测试{victim}第{number}件：某公司拖欠工资")
            key = str(uuid.uuid4())  # the same key on every retry: one petition
            petition = retried(lambda body=body, key=key: portal.submit(body, key))
            retried(lambda petition=petition: accept(petition))
            acknowledged.append(petition)

    sender = threading.Thread(target=flow)
    sender.start()
    eventually(lambda: len(acknowledged) >= KILL_AFTER or not sender.is_alive(), seconds=120)
    suite[victim].kill()
    killed.set()
    time.sleep(1)  # petitions keep arriving while it is down
    suite[victim].start()
    restarted = time.monotonic()
    suite[victim].wait_ready()
    sender.join(timeout=300)
    assert not sender.is_alive()

    wanted = {p.petition_id for p in acknowledged}
    assert len(wanted) == PETITIONS, "every petition acknowledged, each once"
    cases = eventually(
        lambda: (c := original_cases(people)) and wanted <= set(c) and c,
        seconds=120,
        interval=1,
        what=lambda: f"a case for each of the {len(wanted)} acknowledged petitions",
    )
    recovered = time.monotonic() - restarted
    lost = len(wanted - set(cases))
    duplicated = sum(1 for p in wanted if cases[p] > 1) + sum(
        1 for p in acknowledged if len(people.decisions(p)) > 1
    )
    print(
        f"\nfault: SIGKILL {victim} after {KILL_AFTER} of {PETITIONS} petitions | "
        f"sent {PETITIONS} | acknowledged {len(acknowledged)} (after {retries} retries) | "
        f"lost {lost} | duplicated effects {duplicated} | "
        f"time to recover {recovered:.1f} s (restart to every case opened)"
    )
    assert lost == 0
    assert duplicated == 0
