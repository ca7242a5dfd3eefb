"""Messages waiting together are applied together, and one bad message stays alone."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import text, update

from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.uow import UnitOfWork
from huiyin_shared.messaging import dlq
from huiyin_shared.messaging.consumer import Delivery, EventConsumer, GroupConsumer
from huiyin_shared.platform import Platform
from huiyin_shared.testing import probe
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import (
    Ping,
    count,
    create_schema,
    effects,
    eventually,
    publish_pings,
    record_effect,
    unsent,
)

pytestmark = pytest.mark.integration


async def unsent_is(platform: Platform, n: int) -> bool:
    return await unsent(platform) == n


async def transactions_of(platform: Platform) -> list[int]:
    """The transaction that applied each recorded effect, in the order of the pings."""
    async with platform.sessions() as session:
        rows = await session.execute(text("SELECT xmin::text::bigint FROM effects ORDER BY n"))
        return [row[0] for row in rows]


def grouping_consumer(platform: Platform, name: str, handler: object) -> EventConsumer:
    """A consumer whose first message waits long enough for the others to join it."""
    consumer = EventConsumer(
        platform.broker,
        name=name,
        handlers={"testing.ping": handler},  # type: ignore[dict-item]
        uow_factory=platform.unit_of_work,
        inbox=platform.tables.inbox,
        clock=platform.clock,
        exchange=platform.settings.events_exchange,
        queue_prefix=platform.settings.queue_prefix,
        prefetch=32,
        delivery_limit=1,
        concurrency=1,
        group_wait_seconds=0.5,
    )
    platform.consumers.append(consumer)
    return consumer


@pytest.fixture
async def platform(postgres_url: str, broker_namespace: BrokerNamespace):
    platform = Platform(
        probe.probe_settings(
            database_url=postgres_url,
            amqp_url=broker_namespace.amqp_url,
            exchange=broker_namespace.exchange,
            prefix=broker_namespace.prefix,
        ),
        tables=probe.tables,
    )
    await create_schema(platform)
    yield platform
    await platform.stop()


async def test_messages_waiting_together_commit_in_one_transaction(
    platform: Platform, broker_namespace: BrokerNamespace
):
    grouping_consumer(platform, "probe.grouped", record_effect)
    broker_namespace.queue("probe.grouped")
    await platform.start()
    await platform.broker.wait_connected(10)

    await publish_pings(platform, range(10), per_transaction=10)

    async def applied() -> bool:
        return await count(platform, effects) == 10

    await eventually(applied)
    assert len(set(await transactions_of(platform))) == 1
    assert await count(platform, platform.tables.inbox) == 10


async def test_one_failing_message_does_not_take_its_group_with_it(
    platform: Platform, broker_namespace: BrokerNamespace
):
    async def refuses_five(event: Ping, envelope: Envelope, uow: UnitOfWork) -> None:
        if event.n == 5:
            raise RuntimeError("this one cannot be applied")
        await record_effect(event, envelope, uow)

    consumer = grouping_consumer(platform, "probe.grouped", refuses_five)
    queue = broker_namespace.queue("probe.grouped")
    await platform.start()
    await platform.broker.wait_connected(10)

    await publish_pings(platform, range(10), per_transaction=10)

    async def settled() -> bool:
        return await count(platform, effects) == 9 and await consumer.sample_dead_letters() == 1

    await eventually(settled)
    # The group was rolled back and its messages applied one by one, each on its own.
    assert len(set(await transactions_of(platform))) == 9
    [letter] = await dlq.list_dead_letters(broker_namespace.amqp_url, queue)
    assert letter.event_type == "testing.ping"
    assert await count(platform, platform.tables.inbox) == 9, "the refused one left no trace"


async def test_a_group_consumer_hands_each_group_to_its_handler_once_in_order(
    platform: Platform, broker_namespace: BrokerNamespace
):
    calls: list[list[int]] = []

    async def record_group(deliveries: Sequence[Delivery], uow: UnitOfWork) -> None:
        pings = [d.event for d in deliveries]
        assert all(isinstance(ping, Ping) for ping in pings)
        calls.append([ping.n for ping in pings])  # type: ignore[union-attr]
        for ping, d in zip(pings, deliveries, strict=True):
            await record_effect(ping, d.envelope, uow)  # type: ignore[arg-type]

    platform.consumers.append(
        GroupConsumer(
            platform.broker,
            name="probe.grouped",
            event_types=["testing.ping"],
            group_handler=record_group,
            **platform.consumer_options()
            | {"concurrency": 1, "group_wait_seconds": 0.5, "prefetch": 32},
        )
    )
    broker_namespace.queue("probe.grouped")
    await platform.start()
    await platform.broker.wait_connected(10)

    await publish_pings(platform, range(10), per_transaction=10)

    async def applied(n: int) -> bool:
        return await count(platform, effects) == n

    await eventually(lambda: applied(10))
    assert calls == [list(range(10))]
    # The same events again (as after a lost ack), then a new one behind them: the copies are
    # recognised by the inbox and never handed over; only the new one is.
    async with platform.sessions() as session, session.begin():
        await session.execute(update(platform.tables.outbox).values(sent_at=None))
    platform.relay.wake()
    await eventually(lambda: unsent_is(platform, 0))
    await publish_pings(platform, range(10, 11))
    await eventually(lambda: applied(11))
    assert calls == [list(range(10)), [10]]
