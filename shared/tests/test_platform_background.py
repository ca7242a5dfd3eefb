"""Background work on the platform: started with it, stopped before the engine, restarted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY

from huiyin_shared import platform as platform_module
from huiyin_shared.platform import Platform
from huiyin_shared.testing import probe
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually, probe_settings

pytestmark = pytest.mark.integration


@pytest.fixture
async def platform(postgres_url: str, broker_namespace: BrokerNamespace) -> AsyncIterator[Platform]:
    settings = probe_settings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        exchange=broker_namespace.exchange,
        prefix=broker_namespace.prefix,
    )
    platform = Platform(settings, tables=probe.tables)
    yield platform
    await platform.stop()


def restarts(task: str) -> float:
    value = REGISTRY.get_sample_value(
        "huiyin_background_task_restarts_total", {"service": "probe", "task": task}
    )
    return value or 0.0


async def test_background_work_runs_until_stop_and_is_cancelled_before_the_engine_goes(
    platform: Platform,
) -> None:
    running = asyncio.Event()
    cleanup: list[str] = []

    async def loop() -> None:
        running.set()
        try:
            await asyncio.Event().wait()
        finally:
            # Cancelled while the engine is still there: a last query still works.
            await platform.check_database()
            cleanup.append("database reachable")

    platform.add_background("probe-loop", loop)
    await platform.start()
    await platform.broker.wait_connected(10)
    async with asyncio.timeout(10):
        await running.wait()
    await platform.stop()
    assert cleanup == ["database reachable"]


async def test_relay_work_waits_for_a_relaying_process_and_other_work_does_not(
    platform: Platform,
) -> None:
    started: list[str] = []

    def recorder(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            started.append(name)
            await asyncio.Event().wait()

        return run

    platform.add_background("with-relay", recorder("with-relay"))
    platform.add_background("everywhere", recorder("everywhere"), with_relay=False)
    await platform.start(relay=False)
    await platform.broker.wait_connected(10)

    async def one_started() -> bool:
        return started == ["everywhere"]

    await eventually(one_started)
    await asyncio.sleep(0.2)
    assert started == ["everywhere"]


async def test_a_crashed_task_is_logged_and_restarted(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platform_module, "BACKGROUND_RESTART_FIRST_SECONDS", 0.01)
    before = restarts("crashing")
    attempts = 0
    steady = asyncio.Event()

    async def crashing() -> None:
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            raise RuntimeError("database hiccup")
        steady.set()
        await asyncio.Event().wait()

    platform.add_background("crashing", crashing)
    await platform.start()
    await platform.broker.wait_connected(10)
    async with asyncio.timeout(10):
        await steady.wait()
    assert attempts == 3
    assert restarts("crashing") - before == 2


async def test_a_task_that_returns_is_not_restarted(platform: Platform) -> None:
    runs = 0

    async def once() -> None:
        nonlocal runs
        runs += 1

    platform.add_background("once", once)
    await platform.start()
    await platform.broker.wait_connected(10)

    async def ran() -> bool:
        return runs == 1

    await eventually(ran)
    await asyncio.sleep(0.1)
    assert runs == 1


def test_two_tasks_cannot_share_a_name(platform: Platform) -> None:
    async def loop() -> None:
        await asyncio.Event().wait()

    platform.add_background("sweep", loop)
    with pytest.raises(ValueError, match="sweep"):
        platform.add_background("sweep", loop)


async def test_the_relay_stops_when_cancelled_just_as_a_commit_wakes_it(
    platform: Platform,
) -> None:
    """A commit's wake-up landing in the same tick as the stop must not cancel the stop:
    the race that made whole test runs hang at teardown on Python 3.11's ``wait_for``."""
    relay = asyncio.create_task(platform.relay.run())

    async def idle() -> bool:
        return platform.relay.running

    await eventually(idle)
    await asyncio.sleep(0.1)  # past its first pass, waiting for a wake-up or the next poll
    platform.relay.wake()
    relay.cancel()
    done, _ = await asyncio.wait({relay}, timeout=5)
    assert done == {relay}, "the relay went on after it was cancelled"
    assert relay.cancelled()
