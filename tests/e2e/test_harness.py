"""The harness itself: four real processes, each on its own database and broker names."""

from __future__ import annotations

from datetime import timedelta

import httpx
from tests.e2e.harness import SERVICES, Suite, eventually


def test_every_service_is_ready_on_its_own_port_and_database(suite: Suite) -> None:
    ports = {suite[name].port for name in SERVICES}
    assert len(ports) == len(SERVICES)
    for name in SERVICES:
        answer = httpx.get(f"{suite.url(name)}/readyz", timeout=5)
        assert answer.status_code == 200, (name, answer.text)
        assert answer.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert len(set(suite.databases)) == len(SERVICES)


def test_every_consumer_queue_carries_the_runs_prefix(suite: Suite) -> None:
    queues = suite.queues()
    assert queues, "no service logged its consumer queues"
    assert all(q.startswith(f"{suite.prefix}.") for q in queues)


def test_the_clock_moves_for_every_process_together(suite: Suite) -> None:
    before = {
        name: httpx.get(f"{suite.url(name)}/_control/clock", timeout=5).json()["offset_seconds"]
        for name in SERVICES
    }
    assert len(set(before.values())) == 1
    suite.advance_clock(timedelta(seconds=1))
    for name in SERVICES:
        offset = httpx.get(f"{suite.url(name)}/_control/clock", timeout=5).json()["offset_seconds"]
        assert offset == before[name] + 1


def test_a_killed_service_restarts_and_is_ready_again(suite: Suite) -> None:
    routing = suite["routing"]
    starts = routing.starts
    routing.kill()
    assert routing.returncode == -9
    assert not routing.ready()
    routing.start()
    routing.wait_ready()
    assert routing.starts == starts + 1
    eventually(routing.ready, what="routing ready after restart")
