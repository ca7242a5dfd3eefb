"""The ledger skeleton on real PostgreSQL and RabbitMQ: migrations, relay, consumer, API."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.entrypoints.ledger_consumer import RawEventConsumer
from huiyin_shared.clock import Clock
from huiyin_shared.contracts.catalogue import EventData, build_envelope
from huiyin_shared.contracts.events.petition import (
    PetitionAccepted,
    PetitionFeedbackReceived,
    PetitionRegistered,
    PetitionUrgentReported,
)
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import StaffRole, issue_token
from huiyin_shared.messaging.consumer import Delivery
from huiyin_shared.metrics import MESSAGES_CONSUMED
from huiyin_shared.runtime import ServiceApp, build_app
from huiyin_shared.testing.events import petition_accepted, petition_registered
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
OFFICER = {
    "Authorization": "Bearer "
    + issue_token(staff_id="officer-1", roles=[StaffRole.DISCIPLINE_OFFICER], unit_id="jw-1")
}


def registered(petition_id: uuid.UUID) -> PetitionRegistered:
    return petition_registered(petition_id, received_at=NOW, urgent=True)


def accepted(petition_id: uuid.UUID) -> PetitionAccepted:
    return petition_accepted(petition_id, received_at=NOW, accepted_at=NOW, urgent=True)


def urgent_reported(petition_id: uuid.UUID) -> PetitionUrgentReported:
    return PetitionUrgentReported(
        petition_id=petition_id, reported_at=NOW, reported_to="leader-7", reported_by="clerk-1"
    )


def feedback(petition_id: uuid.UUID) -> PetitionFeedbackReceived:
    return PetitionFeedbackReceived(petition_id=petition_id, satisfied=True, received_at=NOW)


def settings_for(postgres_url: str, ns: BrokerNamespace) -> AccountabilitySettings:
    return AccountabilitySettings(
        database_url=postgres_url,
        amqp_url=ns.amqp_url,
        events_exchange=ns.exchange,
        queue_prefix=ns.prefix,
        relay_poll_interval_seconds=0.2,
        ledger_verify_page_size=7,  # small pages, so verification really pages
    )


@dataclass
class ShiftedClock:
    """Real time moved by an offset: tells one replica's entries from the other's."""

    offset: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@asynccontextmanager
async def running(
    settings: AccountabilitySettings, clock: Clock | None = None
) -> AsyncIterator[tuple[ServiceApp, httpx.AsyncClient]]:
    service = bootstrap(settings, clock=clock, timers=False)  # the ledger alone
    app = build_app(service)
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ledger", headers=OFFICER
        ) as client:
            yield service, client


async def publish_raw(ns: BrokerNamespace, body: str, *, routing_key: str) -> None:
    """Bytes on the exchange as another producer would send them, past any contract."""
    connection = await aio_pika.connect(ns.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(ns.exchange)
        await exchange.publish(
            aio_pika.Message(body.encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=routing_key,
        )


async def publish(service: ServiceApp, events: list[EventData]) -> list[uuid.UUID]:
    async with service.platform.unit_of_work() as uow:
        envelopes = [await uow.publish(e, subject=f"petition:{e.petition_id}") for e in events]  # type: ignore[attr-defined]
        await uow.commit()
    return [envelope.id for envelope in envelopes]


async def all_entries(client: httpx.AsyncClient, *, limit: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        response = await client.get("/v1/ledger/entries", params={"after": after, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        entries.extend(page["entries"])
        after = page["next_after"]
    return entries


async def wait_for_entries(client: httpx.AsyncClient, count: int) -> None:
    async def arrived() -> bool:
        return len(await all_entries(client, limit=1000)) >= count

    await eventually(arrived, timeout=60)


async def test_every_event_is_chained_and_tampering_is_found(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_accountability", postgres_url)
    broker_namespace.queue("accountability.ledger")
    petition_id = uuid.uuid4()
    events: list[EventData] = [
        registered(petition_id),
        accepted(petition_id),
        urgent_reported(petition_id),
        feedback(petition_id),
    ]
    settings = settings_for(postgres_url, broker_namespace)
    async with running(settings) as (service, client):
        # One at a time: handlers run concurrently, so only then is the order the ledger's.
        published: list[uuid.UUID] = []
        for number, event in enumerate(events, start=1):
            published += await publish(service, [event])
            await wait_for_entries(client, number)

        entries = await all_entries(client, limit=3)
        assert [e["sequence"] for e in entries] == [1, 2, 3, 4]
        assert [e["event_id"] for e in entries] == [str(i) for i in published]
        assert [e["event_type"] for e in entries] == [
            "petition.registered",
            "petition.accepted",
            "petition.urgent_reported",
            "petition.feedback_received",
        ]
        assert {e["producer"] for e in entries} == {"accountability"}
        assert {e["subject"] for e in entries} == {f"petition:{petition_id}"}
        assert entries[0]["prev_hash"] == "0" * 64
        assert [e["prev_hash"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
        assert '"summary":"拖欠工资三个月"' in entries[0]["envelope"]

        verdict = (await client.get("/v1/ledger/verify")).json()
        assert verdict == {
            "intact": True,
            "checked": 4,
            "first_broken_sequence": None,
            "reason": None,
        }

        engine = service.platform.engine
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text("DELETE FROM ledger_entries WHERE sequence = 3"))
        async with engine.begin() as connection:
            # Someone with owner rights turns the guard off and rewrites history.
            await connection.execute(text("ALTER TABLE ledger_entries DISABLE TRIGGER USER"))
            tampered = await connection.execute(
                text(
                    "UPDATE ledger_entries SET envelope = replace(envelope, 'leader-7', 'leader-8')"
                    " WHERE sequence = 3"
                )
            )
            assert tampered.rowcount == 1  # type: ignore[attr-defined]
            await connection.execute(text("ALTER TABLE ledger_entries ENABLE TRIGGER USER"))

        verdict = (await client.get("/v1/ledger/verify")).json()
        assert verdict["intact"] is False
        assert verdict["first_broken_sequence"] == 3
        assert verdict["checked"] == 3
        assert "hash" in verdict["reason"]


async def test_two_replicas_append_200_events_without_gaps(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_accountability", postgres_url)
    broker_namespace.queue("accountability.ledger")
    settings = settings_for(postgres_url, broker_namespace)
    started = datetime.now(UTC)
    behind = ShiftedClock(-timedelta(days=365))
    async with AsyncExitStack() as stack:
        first, client = await stack.enter_async_context(running(settings))
        second, _ = await stack.enter_async_context(running(settings, behind))
        published: list[uuid.UUID] = []
        for batch in range(10):
            events: list[EventData] = []
            for _ in range(10):
                petition_id = uuid.uuid4()
                events += [registered(petition_id), accepted(petition_id)]
            published += await publish(first if batch % 2 else second, events)

        await wait_for_entries(client, 200)
        await asyncio.sleep(0.5)  # anything beyond 200 would be a duplicate; give it a moment
        entries = await all_entries(client, limit=64)
        assert [e["sequence"] for e in entries] == list(range(1, 201))
        assert sorted(e["event_id"] for e in entries) == sorted(str(i) for i in published)

        cutoff = started - timedelta(days=300)
        appended_by_second = [
            e for e in entries if datetime.fromisoformat(e["recorded_at"]) < cutoff
        ]
        assert 0 < len(appended_by_second) < 200, "both replicas should have appended"

        # The head lock serialised the appends: no handler lost a race and had to retry.
        queue = first.platform.consumers[0].queue_name
        failed = REGISTRY.get_sample_value("huiyin_messages_failed_total", {"queue": queue})
        assert not failed
        processed = REGISTRY.get_sample_value(
            "huiyin_messages_consumed_total", {"queue": queue, "outcome": "processed"}
        )
        assert processed == 200

        verdict = (await client.get("/v1/ledger/verify")).json()
        assert verdict == {
            "intact": True,
            "checked": 200,
            "first_broken_sequence": None,
            "reason": None,
        }


TOOLS = Path(__file__).resolve().parents[2] / "tools" / "verify_ledger_export.py"


async def test_raw_bytes_of_any_event_are_recorded_and_an_outsider_can_verify_the_export(
    postgres_url: str, broker_namespace: BrokerNamespace, tmp_path: Path
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_accountability", postgres_url)
    broker_namespace.queue("accountability.ledger")
    settings = settings_for(postgres_url, broker_namespace)
    async with running(settings) as (service, client):
        # A type no contract knows yet, laid out as its producer chose: kept byte for byte.
        body = (
            '{"id": "' + str(uuid.uuid4()) + '", "type": "archive.file_sealed", "version": 3,\n'
            ' "occurred_at": "2026-03-02T01:30:00+00:00", "producer": "archive",'
            ' "subject": "file:7", "data": {"pages": 12, "sealed_by": "档案员"}}'
        )
        await publish_raw(broker_namespace, body, routing_key="archive.file_sealed")
        petition_id = uuid.uuid4()
        await publish(service, [registered(petition_id)])
        await wait_for_entries(client, 2)
        entries = await all_entries(client, limit=10)
        assert body in [e["envelope"] for e in entries]

        export = await client.get("/v1/ledger/export")
        assert export.status_code == 200
        good = tmp_path / "ledger.ndjson"
        good.write_bytes(export.content)
        last = entries[-1]["hash"]
        ok = subprocess.run(
            [sys.executable, str(TOOLS), str(good), "--last-hash", last],
            capture_output=True,
            text=True,
            check=False,
        )
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.strip() == f"intact: 2 entries, last hash {last}"

        async with service.platform.engine.begin() as connection_:
            await connection_.execute(text("ALTER TABLE ledger_entries DISABLE TRIGGER USER"))
            await connection_.execute(
                text(
                    "UPDATE ledger_entries SET envelope = replace(envelope, '12', '11')"
                    " WHERE event_type = 'archive.file_sealed'"
                )
            )
            await connection_.execute(text("ALTER TABLE ledger_entries ENABLE TRIGGER USER"))
        tampered_at = next(
            e["sequence"] for e in entries if e["event_type"] == "archive.file_sealed"
        )
        bad = tmp_path / "tampered.ndjson"
        bad.write_bytes((await client.get("/v1/ledger/export")).content)
        broken = subprocess.run(
            [sys.executable, str(TOOLS), str(bad)], capture_output=True, text=True, check=False
        )
        assert broken.returncode == 1
        assert broken.stderr.strip() == f"BROKEN: entry {tampered_at} altered"
        verdict = (await client.get("/v1/ledger/verify")).json()
        assert verdict["first_broken_sequence"] == tampered_at
        assert REGISTRY.get_sample_value("huiyin_ledger_chain_intact") == 0


async def test_a_redelivered_event_is_recorded_once(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_accountability", postgres_url)
    queue = broker_namespace.queue("accountability.ledger")
    duplicates_before = MESSAGES_CONSUMED.labels(queue, "duplicate")._value.get()

    def body(event: EventData) -> bytes:
        envelope = build_envelope(
            event, producer="intake", subject="petition:x", occurred_at=datetime.now(UTC)
        )
        return envelope.model_dump_json().encode()

    first, second = body(registered(uuid.uuid4())), body(registered(uuid.uuid4()))
    async with running(settings_for(postgres_url, broker_namespace)) as (_, client):
        connection = await aio_pika.connect(broker_namespace.amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange(broker_namespace.exchange)

            async def send(*bodies: bytes) -> None:
                for content in bodies:
                    await exchange.publish(
                        aio_pika.Message(content), routing_key="petition.registered"
                    )

            await send(first)
            await wait_for_entries(client, 1)
            await send(first)  # a later copy: the ledger has it already
            await send(second, second)  # two copies in one group

            async def both_copies_seen() -> bool:
                seen = MESSAGES_CONSUMED.labels(queue, "duplicate")._value.get()
                return bool(seen - duplicates_before == 2)

            await eventually(both_copies_seen)
        entries = await all_entries(client, limit=10)
        assert [e["envelope"].encode() for e in entries] == [first, second]
        assert (await client.get("/v1/ledger/verify")).json()["intact"] is True


async def test_one_failing_message_does_not_take_its_batch_with_it(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_accountability", postgres_url)
    broker_namespace.queue("accountability.ledger")
    settings = settings_for(postgres_url, broker_namespace).model_copy(
        update={"ledger_batch_wait_seconds": 0.2}  # let the ten arrive as one batch
    )
    async with running(settings) as (service, client):
        consumer = next(c for c in service.platform.consumers if isinstance(c, RawEventConsumer))
        record = consumer.group_handler

        async def fails_on_urgent(deliveries: Sequence[Delivery], uow: Any) -> None:
            if any(d.envelope.type == "petition.urgent_reported" for d in deliveries):
                raise RuntimeError("this one cannot be stored")
            await record(deliveries, uow)

        consumer.group_handler = fails_on_urgent
        petition_id = uuid.uuid4()
        events: list[EventData] = [registered(uuid.uuid4()) for _ in range(9)]
        await publish(service, [*events[:5], urgent_reported(petition_id), *events[5:]])

        await wait_for_entries(client, 9)

        async def dead_lettered() -> bool:
            return await consumer.sample_dead_letters() == 1

        await eventually(dead_lettered, timeout=60)
        entries = await all_entries(client, limit=100)
        assert len(entries) == 9
        assert {e["event_type"] for e in entries} == {"petition.registered"}
        verdict = (await client.get("/v1/ledger/verify")).json()
        assert verdict["intact"] is True


async def test_a_fact_failing_its_contract_is_recorded_but_the_rules_never_see_it(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    """One queue serves the ledger and the trigger rules: a fact the rules cannot read must
    not cost the record its entry, nor be retried into the dead-letter queue."""
    await asyncio.to_thread(upgrade, "huiyin_accountability", postgres_url)
    broker_namespace.queue("accountability.ledger")
    refused = {"event_type": "petition.registered"}
    refused_before = REGISTRY.get_sample_value("huiyin_trigger_facts_refused_total", refused)
    async with running(settings_for(postgres_url, broker_namespace)) as (service, client):
        body = (
            '{"id": "' + str(uuid.uuid4()) + '", "type": "petition.registered", "version": 1,'
            ' "occurred_at": "2026-03-02T01:30:00+00:00", "producer": "intake",'
            ' "subject": "petition:x", "data": {"petition_id": "not a petition id"}}'
        )
        await publish_raw(broker_namespace, body, routing_key="petition.registered")
        (good,) = await publish(service, [registered(uuid.uuid4())])
        await wait_for_entries(client, 2)

        assert body in [e["envelope"] for e in await all_entries(client, limit=10)]
        async with service.platform.engine.connect() as connection_:
            facts = (await connection_.execute(text("SELECT event_id FROM trigger_facts"))).all()
        assert [row.event_id for row in facts] == [good]
        consumer = next(c for c in service.platform.consumers if isinstance(c, RawEventConsumer))
        assert await consumer.sample_dead_letters() == 0
    assert (
        REGISTRY.get_sample_value("huiyin_trigger_facts_refused_total", refused)
        == (refused_before or 0) + 1
    )
