"""A broker connection that goes silent (bytes swallowed, no FIN or RST), then heals.

The platform reaches the real RabbitMQ through a loopback proxy that can blackhole its
traffic. While events flow the proxy swallows everything for longer than the publish
timeout; after the heal the relay and the consumer must be back on a new connection and
every event consumed exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

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
    unsent,
)

pytestmark = pytest.mark.integration

BLACKHOLE_SECONDS = 15.0


@pytest.fixture
async def proxy(broker_namespace: BrokerNamespace) -> AsyncIterator[Blackhole]:
    parts = urlsplit(broker_namespace.amqp_url)
    blackhole = Blackhole(parts.hostname or "127.0.0.1", parts.port or 5672)
    await blackhole.start()
    yield blackhole
    await blackhole.close()


@pytest.fixture
async def platform(
    postgres_url: str, broker_namespace: BrokerNamespace, proxy: Blackhole
) -> AsyncIterator[Platform]:
    parts = urlsplit(broker_namespace.amqp_url)
    through_proxy = parts._replace(
        netloc=f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
    ).geturl()
    settings = probe_settings(
        database_url=postgres_url,
        amqp_url=through_proxy,
        exchange=broker_namespace.exchange,
        prefix=broker_namespace.prefix,
    )
    platform = Platform(settings, tables=probe.tables)
    await create_schema(platform)
    yield platform
    await platform.stop()


async def test_silently_dropped_connection_is_replaced_and_nothing_is_lost(
    platform: Platform, broker_namespace: BrokerNamespace, proxy: Blackhole
) -> None:
    platform.add_consumer("probe.effects", {"testing.ping": record_effect})
    broker_namespace.queue("probe.effects")
    await platform.start()
    await platform.broker.wait_connected(10)
    await publish_pings(platform, range(50), per_transaction=5)

    async def first_half() -> bool:
        return await count(platform, effects) == 50

    await eventually(first_half)

    proxy.block()
    await publish_pings(platform, range(50, 100), per_transaction=5)
    await asyncio.sleep(BLACKHOLE_SECONDS)
    proxy.heal()

    async def all_consumed() -> bool:
        return await count(platform, effects) == 100 and await unsent(platform) == 0

    await eventually(all_consumed, timeout=60.0)
    assert await distinct_effects(platform) == 100
    assert platform.broker.connections_made >= 2
    assert platform.broker.is_connected
