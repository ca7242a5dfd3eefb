"""A poison message on the broker while petitions flow: dead-lettered where it is read,
never blocking the flow."""

from __future__ import annotations

import httpx
from tests.e2e.faults import assert_whole, poisoned, through_a_fault
from tests.e2e.flow import People, Portal
from tests.e2e.harness import Suite, eventually


def dead_lettered_as_poison(metrics: str, queue: str) -> float:
    for line in metrics.splitlines():
        if (
            line.startswith("huiyin_messages_dead_lettered_total{")
            and f'queue="{queue}"' in line
            and 'reason="poison"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_poison_message_is_dead_lettered_and_petitions_still_reach_their_cases(
    suite: Suite, people: People, portal: Portal
) -> None:
    queue = f"{suite.prefix}.routing.petitions"
    before = suite.queue_depth(f"{queue}.dlq")

    with poisoned(suite) as fault:
        figures = through_a_fault(
            suite,
            people,
            portal,
            fault,
            label="poison message as petition.accepted",
            petitions=60,
            rate=10,
            strike_after=20,
        )

    assert_whole(figures)
    eventually(
        lambda: suite.queue_depth(f"{queue}.dlq") == before + 1,
        what="the poison message in routing's dead-letter queue",
    )
    metrics = httpx.get(f"{suite.url('routing')}/metrics", timeout=10).text
    assert dead_lettered_as_poison(metrics, queue) >= 1
    assert suite.queue_depth(f"{queue}.dlq") == before + 1, "nothing else dead-lettered"
