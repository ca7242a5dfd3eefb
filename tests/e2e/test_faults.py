"""Faults struck while petitions flow: nothing lost, nothing done twice.

Petitions are offered by a portal at a fixed rate and accepted by a clerk (both retrying
what is refused, with the same ``Idempotency-Key``); part-way a fault strikes while the
rest keep coming. Afterwards every acknowledged petition must reach exactly one case, with
exactly one routing decision. The figures are printed in the Jepsen style (run with
``-s``); timings vary with the machine's load and are not asserted. ``tests/e2e/faults.py``
holds the flow and the faults, shared with ``bench/e2e_faults.py``.
"""

from __future__ import annotations

import pytest
from tests.e2e.faults import (
    assert_whole,
    broker_blackholed,
    database_refused,
    killed,
    rabbitmq_restarted,
    through_a_fault,
)
from tests.e2e.flow import People, Portal
from tests.e2e.harness import SERVICES, Suite


@pytest.mark.parametrize("victim", SERVICES)
def test_a_service_killed_mid_flow_loses_nothing_and_does_nothing_twice(
    suite: Suite, people: People, portal: Portal, victim: str
) -> None:
    with killed(suite, victim, down_seconds=3) as fault:
        figures = through_a_fault(
            suite,
            people,
            portal,
            fault,
            label=f"SIGKILL {victim}, down 3 s",
            petitions=60,
            rate=10,
            strike_after=20,
        )
    assert_whole(figures)


def test_rabbitmq_restarted_mid_flow_loses_nothing_and_does_nothing_twice(
    suite: Suite, people: People, portal: Portal
) -> None:
    # The machine's own broker, shared with whatever else runs there: restarted in a
    # finally, whatever happens.
    with rabbitmq_restarted(suite, down_seconds=5) as fault:
        figures = through_a_fault(
            suite,
            people,
            portal,
            fault,
            label="RabbitMQ stop_app, 5 s, start_app",
            petitions=100,
            rate=10,
            strike_after=30,
        )
    assert_whole(figures)


def test_routing_database_refused_for_ten_seconds_then_its_work_resumes(
    suite: Suite, people: People, portal: Portal
) -> None:
    # Routing both consumes (petition.accepted) and publishes (petition.routed): while its
    # database refuses, the messages it is given are held and retried, none lost or
    # dead-lettered.
    # The fault waits for routing's /readyz to answer 503, and for 200 after the heal.
    with database_refused(suite, "routing", seconds=10) as fault:
        figures = through_a_fault(
            suite,
            people,
            portal,
            fault,
            label="routing's PostgreSQL refused 10 s",
            petitions=100,
            rate=10,
            strike_after=20,
        )
    assert_whole(figures)


def test_routing_broker_link_silently_dropped_then_healed(
    suite: Suite, people: People, portal: Portal
) -> None:
    # To keep the test short, routing runs here with a 2 s heartbeat (aiormq gives up
    # after (2 + 1) x 3 = 9 s of silence) and a 5 s publish timeout, instead of 10 s and
    # 10 s: within the 30 s blackhole the link is declared dead and at least one
    # reconnection times out too, both as they would in production over a longer outage.
    # Petitions keep coming at 2/s before, during and after it.
    with broker_blackholed(
        suite,
        "routing",
        seconds=30,
        BROKER_HEARTBEAT_SECONDS="2",
        PUBLISH_TIMEOUT_SECONDS="5",
    ) as fault:
        figures = through_a_fault(
            suite,
            people,
            portal,
            fault,
            label="routing's broker link blackholed 30 s",
            petitions=90,
            rate=2,
            strike_after=10,
        )
    assert_whole(figures)
