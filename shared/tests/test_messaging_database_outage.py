"""A consumer's database refusing connections for a while: nothing dead-lettered, nothing lost.

The consuming platform reaches PostgreSQL through a loopback proxy that, refusing, closes
every connection and every new one, as a stopped server does; a second platform, on the
database directly, keeps publishing meanwhile. The failures are the database's, not the
messages': none may use up its delivery limit (set low here) and end in the dead-letter
queue. After the heal every event is consumed exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from huiyin_shared.messaging import dlq
from huiyin_shared.platform import Platform
from huiyin_shared.testing import probe
from huiyin_shared.testing.blackhole import Blackhole
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import (
    count,
    create_schema,
    distinct_effects,
    effects,
    eventually,
    probe_settings,
    publish_pings,
    record_effect,
)

pytestmark = pytest.mark.integration

REFUSED_SECONDS = 8.0
"""Far longer than the back-off of 2 deliveries (0.2 s, 0.4 s, 0.8 s): enough to dead-letter
every message in flight if each failure were counted against the limit."""


@pytest.fixture
async def proxy(postgres_url: str) -> AsyncIterator[Blackhole]:
    parts = urlsplit(postgres_url)
    refusing = Blackhole(parts.hostname or "127.0.0.1", parts.port or 5432)
    await refusing.start()
    yield refusing
    await refusing.close()


def make_platform(url: str, ns: BrokerNamespace) -> Platform:
    settings = probe_settings(
        database_url=url,
        amqp_url=ns.amqp_url,
        exchange=ns.exchange,
        prefix=ns.prefix,
        delivery_limit=2,
    )
    return Platform(settings, tables=probe.tables)


async def test_database_refused_for_a_while_dead_letters_nothing(
    postgres_url: str, broker_namespace: BrokerNamespace, proxy: Blackhole
) -> None:
    parts = urlsplit(postgres_url)
    credentials = parts.netloc.rpartition("@")[0]
    through_proxy = parts._replace(netloc=f"{credentials}@127.0.0.1:{proxy.port}").geturl()
    producer = make_platform(postgres_url, broker_namespace)
    consumer = make_platform(through_proxy, broker_namespace)
    await create_schema(producer)
    queue = broker_namespace.queue("probe.effects")
    consumer.add_consumer("probe.effects", {"testing.ping": record_effect})
    try:
        await consumer.start(relay=False)
        await consumer.broker.wait_connected(10)
        await producer.start()
        await producer.broker.wait_connected(10)
        await publish_pings(producer, range(20))

        async def first_ones() -> bool:
            return await count(producer, effects) == 20

        await eventually(first_ones)

        proxy.refuse()
        await publish_pings(producer, range(20, 60), per_transaction=5)
        await asyncio.sleep(REFUSED_SECONDS)
        proxy.heal()

        async def all_consumed() -> bool:
            return await count(producer, effects) >= 60

        await eventually(all_consumed, timeout=60)
        assert await dlq.list_dead_letters(broker_namespace.amqp_url, queue) == []
        assert await distinct_effects(producer) == 60
        assert await count(producer, effects) == 60
    finally:
        await consumer.stop()
        await producer.stop()
