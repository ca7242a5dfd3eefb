"""Outbox → relay → broker → consumer → inbox, on the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aio_pika
import asyncpg
import pytest
from aio_pika import DeliveryMode, Message
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from huiyin_shared.contracts.catalogue import build_envelope
from huiyin_shared.messaging.broker import BrokerUnavailableError
from huiyin_shared.messaging.publisher import OutgoingMessage
from huiyin_shared.messaging.relay import outgoing_message
from huiyin_shared.metrics import MESSAGES_CONSUMED
from huiyin_shared.platform import Platform
from huiyin_shared.settings import ServiceSettings
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


async def start_without_relay(platform: Platform, broker_namespace: BrokerNamespace) -> None:
    """A consumer of the pings, and the platform started with its relay stopped: the test
    drives the relay itself."""
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    broker_namespace.queue("probe.effects")
    await platform.start(relay=False)
    await platform.broker.wait_connected(10)


def refuse_ping(platform: Platform, refused: int) -> Callable[[], None]:
    """The broker no longer confirms ping ``refused``; returns what puts it right."""
    real_publish = platform.publisher.publish

    async def refusing(message: OutgoingMessage) -> None:
        if json.loads(message.body)["data"]["n"] == refused:
            raise BrokerUnavailableError("not confirmed")
        await real_publish(message)

    def restore() -> None:
        platform.publisher.publish = real_publish  # type: ignore[method-assign]

    platform.publisher.publish = refusing  # type: ignore[method-assign]
    return restore


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


async def test_a_publish_that_fails_leaves_its_row_unsent_with_the_error(
    platform: Platform, broker_namespace: BrokerNamespace
):
    await start_without_relay(platform, broker_namespace)
    await publish_pings(platform, range(10), per_transaction=10)
    restore = refuse_ping(platform, 3)
    assert await platform.relay.relay_once() == 9
    outbox = platform.tables.outbox
    async with platform.sessions() as session:
        [left] = (
            await session.execute(
                select(outbox.c.envelope, outbox.c.attempts, outbox.c.last_error).where(
                    outbox.c.sent_at.is_(None)
                )
            )
        ).all()
    assert json.loads(left.envelope)["data"]["n"] == 3
    assert left.attempts == 1
    assert "not confirmed" in left.last_error

    restore()
    assert await platform.relay.relay_once() == 1
    assert await unsent(platform) == 0

    async def all_applied() -> bool:
        return await count(platform, effects) == 10

    await eventually(all_applied)


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


def statements_seen(platform: Platform) -> list[str]:
    """Every SQL statement the platform's engine sends from now on."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(platform.engine.sync_engine, "before_cursor_execute", record)
    return seen


def patient(settings: ServiceSettings) -> ServiceSettings:
    """Settings whose relay polls so rarely that only a wake-up can explain a prompt send."""
    return settings.model_copy(update={"relay_poll_interval_seconds": 600.0})


@asynccontextmanager
async def patient_relay(
    platform: Platform, broker_namespace: BrokerNamespace
) -> AsyncIterator[Platform]:
    """Another platform on the same database and broker, started, its relay running."""
    local = Platform(patient(platform.settings), tables=probe.tables)
    local.add_consumer("probe.effects", {"testing.ping": record_effect})
    broker_namespace.queue("probe.effects")
    try:
        await local.start()
        await local.broker.wait_connected(10)

        async def relaying() -> bool:
            return local.relay.running

        await eventually(relaying)
        yield local
    finally:
        await local.stop()


async def test_commit_hands_its_events_to_the_relay_of_its_own_process(
    platform: Platform, broker_namespace: BrokerNamespace
):
    async with patient_relay(platform, broker_namespace) as local:
        statements = statements_seen(local)
        claimed: list[int] = []
        real_claim = local.relay.relay_once

        async def counted_claim() -> int:
            claimed.append(await real_claim())
            return claimed[-1]

        local.relay.relay_once = counted_claim  # type: ignore[method-assign]
        local.relay.wake()  # past the claims of the start and the connection

        async def claimed_once() -> bool:
            return bool(claimed)

        await eventually(claimed_once)
        claimed.clear()

        await publish_pings(local, range(3))

        async def done() -> bool:
            return await count(local, effects) == 3 and await unsent(local) == 0

        await eventually(done, timeout=30)
        assert not [s for s in statements if s.startswith("NOTIFY")]
        # Published from memory and marked sent: never claimed (read back) from the table.
        assert sum(claimed) == 0


async def test_a_handed_over_event_the_broker_refuses_waits_for_the_next_claim(
    platform: Platform, broker_namespace: BrokerNamespace
):
    await start_without_relay(platform, broker_namespace)
    restore = refuse_ping(platform, 3)
    await publish_pings(platform, range(5), per_transaction=5)
    platform.relay.hand_over(await committed_messages(platform))

    assert await platform.relay.relay_handed() == 4
    assert await unsent(platform) == 1
    restore()
    assert await platform.relay.relay_once() == 1
    assert await unsent(platform) == 0

    async def all_applied() -> bool:
        return await count(platform, effects) == 5

    await eventually(all_applied)


async def test_an_event_claimed_before_it_is_handed_over_is_sent_once(
    platform: Platform, broker_namespace: BrokerNamespace
):
    await start_without_relay(platform, broker_namespace)
    sent: list[str] = []
    real_publish = platform.publisher.publish

    async def counting(message: OutgoingMessage) -> None:
        sent.append(message.event_id)
        await real_publish(message)

    platform.publisher.publish = counting  # type: ignore[method-assign]
    await publish_pings(platform, range(1))
    messages = await committed_messages(platform)
    # A claim (a poll) takes the row between the commit and the hand-over.
    claim = asyncio.create_task(platform.relay.relay_once())
    await asyncio.sleep(0)
    platform.relay.hand_over(messages)
    assert await claim == 1

    assert await platform.relay.relay_handed() == 0
    assert sent == [messages[0].event_id]


async def committed_messages(platform: Platform) -> list[OutgoingMessage]:
    """The outbox's rows as the unit of work that wrote them hands them to its relay."""
    outbox = platform.tables.outbox
    async with platform.sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.position))).all()
    return [outgoing_message(row) for row in rows]


async def test_commit_without_a_relay_here_notifies_the_relay_of_another_process(
    platform: Platform, broker_namespace: BrokerNamespace
):
    async with patient_relay(platform, broker_namespace):
        await eventually(lambda: listening(platform))
        statements = statements_seen(platform)  # this platform was never started: no relay

        await publish_pings(platform, range(3))

        async def done() -> bool:
            return await count(platform, effects) == 3

        await eventually(done, timeout=30)
        assert [s for s in statements if s.startswith("NOTIFY")] == ["NOTIFY huiyin_outbox"] * 3


async def listening(platform: Platform) -> bool:
    """Some session of this database has LISTENed for outbox commits."""
    async with platform.sessions() as session:
        found = await session.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
            )
        )
        return bool(found.scalar_one())


async def test_work_resumes_after_the_database_drops_every_connection(
    platform: Platform, broker_namespace: BrokerNamespace
):
    # Pooled connections are not pinged before use: the first statement on a dead one fails,
    # the pool is invalidated, and the retry (a redelivery, a client's retry) gets a new one.
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    broker_namespace.queue("probe.effects")
    await platform.start()
    await platform.broker.wait_connected(10)
    await publish_pings(platform, range(10))

    async def first_done() -> bool:
        return await count(platform, effects) == 10

    await eventually(first_done)

    admin = await asyncpg.connect(
        platform.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        dropped = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    assert dropped > 0

    for n in range(10, 20):
        for attempt in range(2):
            try:
                await publish_pings(platform, range(n, n + 1))
                break
            except DBAPIError:
                assert attempt == 0, "a second attempt must find a live connection"

    async def all_done() -> bool:
        return await count(platform, effects) == 20 and await unsent(platform) == 0

    await eventually(all_done)
    assert await distinct_effects(platform) == 20
