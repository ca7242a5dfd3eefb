"""Failure paths: poison and failing messages, a broker restart, a relay killed mid-batch."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import aio_pika
import pytest
from aio_pika import DeliveryMode, Message

from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.uow import UnitOfWork
from huiyin_shared.messaging import dlq
from huiyin_shared.metrics import MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED
from huiyin_shared.platform import Platform
from huiyin_shared.testing import probe
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import (
    count,
    create_schema,
    distinct_effects,
    effects,
    eventually,
    publish_pings,
    record_effect,
    unsent,
)

pytestmark = pytest.mark.integration


def make_platform(postgres_url: str, ns: BrokerNamespace, **extra: object) -> Platform:
    settings = probe.probe_settings(
        database_url=postgres_url,
        amqp_url=ns.amqp_url,
        exchange=ns.exchange,
        prefix=ns.prefix,
        **extra,
    )
    return Platform(settings, tables=probe.tables)


async def dlq_depth(ns: BrokerNamespace, queue: str) -> int:
    return len(await dlq.list_dead_letters(ns.amqp_url, queue))


async def test_failing_handler_dead_letters_after_limit_and_replays(
    postgres_url: str, broker_namespace: BrokerNamespace
):
    platform = make_platform(postgres_url, broker_namespace, delivery_limit=2)
    await create_schema(platform)
    healthy = False
    attempts = 0

    async def flaky(event, envelope: Envelope, uow: UnitOfWork) -> None:
        nonlocal attempts
        attempts += 1
        if not healthy:
            raise RuntimeError("downstream refused")
        await record_effect(event, envelope, uow)

    queue = broker_namespace.queue("probe.flaky")
    platform.add_consumer("probe.flaky", {"testing.ping": flaky})
    limit_before = MESSAGES_DEAD_LETTERED.labels(queue, "delivery_limit")._value.get()
    try:
        await platform.start()
        await platform.broker.wait_connected(10)
        await publish_pings(platform, range(1))

        async def dead_lettered() -> bool:
            return await dlq_depth(broker_namespace, queue) == 1

        await eventually(dead_lettered, timeout=30)
        # first delivery + 2 redeliveries allowed by the limit, then the broker dead-letters it
        assert attempts == 3
        assert (
            MESSAGES_DEAD_LETTERED.labels(queue, "delivery_limit")._value.get() - limit_before == 1
        )
        assert await count(platform, effects) == 0
        assert await count(platform, platform.tables.inbox) == 0, "a failed attempt left no trace"

        letters = await dlq.list_dead_letters(broker_namespace.amqp_url, queue)
        assert letters[0].event_type == "testing.ping"
        assert letters[0].reason == "delivery_limit"
        assert await dlq_depth(broker_namespace, queue) == 1, "listing does not consume"

        healthy = True
        assert await dlq.replay(broker_namespace.amqp_url, queue) == 1

        async def applied() -> bool:
            return await count(platform, effects) == 1

        await eventually(applied)
        assert await dlq_depth(broker_namespace, queue) == 0
    finally:
        await platform.stop()


async def test_poison_message_goes_straight_to_dead_letters(
    postgres_url: str, broker_namespace: BrokerNamespace
):
    platform = make_platform(postgres_url, broker_namespace, delivery_limit=5)
    await create_schema(platform)
    queue = broker_namespace.queue("probe.effects")
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    try:
        await platform.start(relay=False)
        await platform.broker.wait_connected(10)
        connection = await aio_pika.connect(broker_namespace.amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange(broker_namespace.exchange)
            await exchange.publish(
                Message(b"{not json", delivery_mode=DeliveryMode.PERSISTENT),
                routing_key="testing.ping",
            )
            # valid JSON, valid envelope, but the data breaks the contract
            bad = {
                "id": "5f0a5c43-8a8a-4d8e-9b43-1f3c8d7e1a11",
                "type": "testing.ping",
                "version": 1,
                "occurred_at": "2026-11-20T08:00:00+00:00",
                "producer": "test",
                "subject": "ping:x",
                "data": {"n": "not a number"},
            }
            await exchange.publish(
                Message(json.dumps(bad).encode(), delivery_mode=DeliveryMode.PERSISTENT),
                routing_key="testing.ping",
            )

        async def both_dead() -> bool:
            return await dlq_depth(broker_namespace, queue) == 2

        await eventually(both_dead, timeout=20)
        letters = await dlq.list_dead_letters(broker_namespace.amqp_url, queue)
        assert {letter.reason for letter in letters} == {"rejected"}
        assert await count(platform, effects) == 0
    finally:
        await platform.stop()


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.slow
async def test_broker_restart_while_1000_events_flow(
    postgres_url: str, broker_namespace: BrokerNamespace
):
    assert shutil.which("rabbitmqctl"), "this test restarts the local broker with rabbitmqctl"
    platform = make_platform(postgres_url, broker_namespace, delivery_limit=5)
    await create_schema(platform)
    queue = broker_namespace.queue("probe.effects")
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    processed_before = MESSAGES_CONSUMED.labels(queue, "processed")._value.get()
    try:
        await platform.start()
        await platform.broker.wait_connected(10)

        at_restart: list[int] = []

        async def restart_midway() -> None:
            async def some_consumed() -> bool:
                return await count(platform, effects) >= 150

            await eventually(some_consumed, timeout=60, interval=0.02)
            at_restart.append(await count(platform, effects))
            await asyncio.to_thread(_rabbitmqctl, "stop_app")
            await asyncio.sleep(2)
            await asyncio.to_thread(_rabbitmqctl, "start_app")
            await asyncio.to_thread(_rabbitmqctl, "await_startup")

        restarter = asyncio.create_task(restart_midway())
        await publish_pings(platform, range(1000), per_transaction=2)
        await restarter

        async def all_in() -> bool:
            return await count(platform, effects) >= 1000 and await unsent(platform) == 0

        await eventually(all_in, timeout=180, interval=0.5)
        assert at_restart[0] < 1000, "the broker went down while events were flowing"
        assert platform.broker.connections_made >= 2, "the consumer came back on a new connection"
        await asyncio.sleep(2)  # let any redelivery land before counting duplicates of effect
        assert await distinct_effects(platform) == 1000, "every event consumed"
        assert await count(platform, effects) == 1000, "each effect exactly once"
        assert await count(platform, platform.tables.inbox) == 1000
        assert MESSAGES_CONSUMED.labels(queue, "processed")._value.get() - processed_before == 1000
    finally:
        await platform.stop()


CRASHING_RELAY = r"""
import asyncio, os, signal, sys
from huiyin_shared.platform import Platform
from huiyin_shared.testing import probe

async def main() -> None:
    settings = probe.probe_settings(
        database_url=sys.argv[1], amqp_url=sys.argv[2], exchange=sys.argv[3], prefix=sys.argv[4]
    )
    platform = Platform(settings, tables=probe.tables)
    real_publish = platform.publisher.publish
    confirmed = 0

    async def publish_then_die(message):
        nonlocal confirmed
        await real_publish(message)
        confirmed += 1
        if confirmed == 10:
            # Confirmed by the broker, not yet marked sent: the worst moment to die.
            os.kill(os.getpid(), signal.SIGKILL)

    platform.publisher.publish = publish_then_die
    asyncio.create_task(platform.broker.run())
    await platform.broker.wait_connected(10)
    await platform.relay.relay_once()

asyncio.run(main())
"""


async def test_relay_killed_between_publish_and_mark_sent(
    postgres_url: str, broker_namespace: BrokerNamespace, tmp_path: Path
):
    platform = make_platform(postgres_url, broker_namespace)
    await create_schema(platform)
    queue = broker_namespace.queue("probe.effects")
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    duplicates_before = MESSAGES_CONSUMED.labels(queue, "duplicate")._value.get()
    try:
        await platform.start(relay=False)
        await platform.broker.wait_connected(10)
        await publish_pings(platform, range(50), per_transaction=50)

        script = tmp_path / "crashing_relay.py"
        script.write_text(CRASHING_RELAY)
        crashed = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                str(script),
                platform.settings.sqlalchemy_url(),
                broker_namespace.amqp_url,
                broker_namespace.exchange,
                broker_namespace.prefix,
            ],
            capture_output=True,
            timeout=60,
            env=os.environ.copy(),
        )
        assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]

        async def confirmed_ones_consumed() -> bool:
            return await count(platform, effects) >= 10

        await eventually(confirmed_ones_consumed)
        assert await unsent(platform) == 50, "the killed relay marked nothing sent"

        # A healthy relay sends the whole batch again; the inbox absorbs the repeats.
        while await platform.relay.relay_once():
            pass

        async def all_applied() -> bool:
            return await count(platform, effects) == 50 and (
                MESSAGES_CONSUMED.labels(queue, "duplicate")._value.get() - duplicates_before >= 10
            )

        await eventually(all_applied)
        assert await distinct_effects(platform) == 50
        assert await count(platform, effects) == 50
    finally:
        await platform.stop()
