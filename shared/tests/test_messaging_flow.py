"""Outbox → relay → broker → consumer → inbox, on the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import json
import uuid

import aio_pika
import pytest
from aio_pika import DeliveryMode, Message

from huiyin_shared.contracts.catalogue import build_envelope
from huiyin_shared.metrics import MESSAGES_CONSUMED
from huiyin_shared.platform import Platform
from huiyin_shared.testing import probe
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import (
    Ping,
    count,
    create_schema,
    distinct_effects,
    effects,
    eventually,
    probe_settings,
    publish_pings,
    record_effect,
    unsent,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def platform(postgres_url: str, broker_namespace: BrokerNamespace):
    settings = probe_settings(
        database_url=postgres_url,
        amqp_url=broker_namespace.amqp_url,
        exchange=broker_namespace.exchange,
        prefix=broker_namespace.prefix,
        delivery_limit=2,
    )
    platform = Platform(settings, tables=probe.tables)
    await create_schema(platform)
    yield platform
    await platform.stop()


async def test_outbox_to_inbox_end_to_end(platform: Platform, broker_namespace: BrokerNamespace):
    consumer = platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    broker_namespace.queue("probe.effects")
    await platform.start()
    await platform.broker.wait_connected(10)

    await publish_pings(platform, range(100), per_transaction=5)

    async def done() -> bool:
        return await count(platform, effects) == 100 and await unsent(platform) == 0

    await eventually(done)
    assert await distinct_effects(platform) == 100
    assert await count(platform, platform.tables.inbox) == 100
    assert consumer.queue_name == f"{broker_namespace.prefix}.probe.effects"


async def test_rolled_back_unit_of_work_publishes_nothing(platform: Platform):
    async with platform.unit_of_work() as uow:
        await uow.publish(Ping(n=1), subject="ping:1")
    assert await count(platform, platform.tables.outbox) == 0


async def test_same_event_delivered_twice_changes_state_once(
    platform: Platform, broker_namespace: BrokerNamespace
):
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    queue = broker_namespace.queue("probe.effects")
    await platform.start(relay=False)
    await platform.broker.wait_connected(10)
    envelope = build_envelope(
        Ping(n=7), producer="test", subject="ping:7", occurred_at=platform.clock.now()
    )
    duplicates_before = MESSAGES_CONSUMED.labels(queue, "duplicate")._value.get()

    connection = await aio_pika.connect(broker_namespace.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(broker_namespace.exchange)
        for _ in range(3):
            await exchange.publish(
                Message(
                    envelope.model_dump_json().encode(),
                    message_id=str(envelope.id),
                    delivery_mode=DeliveryMode.PERSISTENT,
                ),
                routing_key="testing.ping",
            )

    async def all_seen() -> bool:
        return MESSAGES_CONSUMED.labels(queue, "duplicate")._value.get() - duplicates_before == 2

    await eventually(all_seen)
    assert await count(platform, effects) == 1
    assert await count(platform, platform.tables.inbox) == 1


async def test_correlation_and_causation_flow_into_published_events(platform: Platform):
    import structlog

    cause = uuid.uuid4()
    with structlog.contextvars.bound_contextvars(correlation_id="req-42", causation_id=str(cause)):
        async with platform.unit_of_work() as uow:
            envelope = await uow.publish(Ping(n=3), subject="ping:3")
            await uow.commit()
    assert envelope.correlation_id == "req-42"
    assert envelope.causation_id == cause
    async with platform.sessions() as session:
        stored = (await session.execute(platform.tables.outbox.select())).one()
    assert json.loads(stored.envelope)["correlation_id"] == "req-42"
    assert stored.correlation_id == "req-42"


async def test_backlog_written_before_start_reaches_a_new_consumer(
    platform: Platform, broker_namespace: BrokerNamespace
):
    # The relay must not publish before this process has bound its own queues, or the
    # backlog would be parked as unrouted on a fresh broker.
    await publish_pings(platform, range(200), per_transaction=100)
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    broker_namespace.queue("probe.effects")
    await platform.start()

    async def done() -> bool:
        return await count(platform, effects) == 200

    await eventually(done)
    assert await unsent(platform) == 0
