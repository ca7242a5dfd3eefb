"""The intake skeleton on real PostgreSQL and RabbitMQ: migrations, API, outbox, relay, broker."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractQueue

from huiyin_intake.bootstrap import bootstrap
from huiyin_intake.config import IntakeSettings
from huiyin_shared.clock import FixedClock
from huiyin_shared.contracts.catalogue import read_event
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.petition import PetitionRegistered
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.messaging.topology import declare_events_exchange
from huiyin_shared.runtime import build_app
from huiyin_shared.testing.fixtures import BrokerNamespace
from huiyin_shared.testing.probe import eventually

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 March in Shanghai
OFFICE = "office-370102"
PROBLEM = "application/problem+json"


def registration(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "office_id": OFFICE,
        "channel": "letter",
        "kind": "help_request",
        "received_at": "2026-03-01T17:30:00+00:00",  # 01:30 on 2 March in Shanghai
        "anonymous": False,
        "people_count": 1,
        "accused_unit_ids": ["unit-construction-co"],
        "division_code": "370102",
        "subject_category": "labour.wages",
        "summary": "拖欠工资三个月，多次讨要未果",
        "urgent": False,
        "registered_by": "clerk-1",
    }
    body.update(changes)
    return body


def settings_for(broker: BrokerNamespace, **values: Any) -> IntakeSettings:
    return IntakeSettings(
        amqp_url=broker.amqp_url,
        events_exchange=broker.exchange,
        queue_prefix=broker.prefix,
        relay_poll_interval_seconds=0.2,
        **values,
    )


@asynccontextmanager
async def running(
    settings: IntakeSettings, clock: FixedClock | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The service app with its lifespan (broker, relay) and a client on its API."""
    service = bootstrap(settings, clock=clock or FixedClock(NOW))
    app = build_app(service)
    async with app.router.lifespan_context(app):
        await service.platform.broker.wait_connected(10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            yield client


@asynccontextmanager
async def tap(broker: BrokerNamespace) -> AsyncIterator[AbstractQueue]:
    """A queue of our own bound to every petition event on the test exchange."""
    connection = await aio_pika.connect(broker.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await declare_events_exchange(channel, broker.exchange)
        queue = await channel.declare_queue(broker.queue("test.tap"))
        await queue.bind(exchange, routing_key="petition.*")
        yield queue


async def next_envelope(queue: AbstractQueue, event_type: str) -> Envelope:
    """The next message on ``queue`` of ``event_type`` (others are acknowledged and skipped)."""
    found: list[Envelope] = []

    async def arrived() -> bool:
        message = await queue.get(fail=False, timeout=5)
        if message is None:
            return False
        await message.ack()
        envelope = Envelope.model_validate_json(message.body)
        if envelope.type == event_type:
            found.append(envelope)
        return bool(found)

    await eventually(arrived, timeout=20)
    return found[0]


async def migrated(postgres_url: str) -> str:
    await asyncio.to_thread(upgrade, "huiyin_intake", postgres_url)
    return postgres_url


async def test_register_then_accept_publishes_both_events(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    settings = settings_for(broker_namespace, database_url=await migrated(postgres_url))
    async with tap(broker_namespace) as events, running(settings) as client:
        response = await client.post("/v1/petitions", json=registration())
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["registration_number"] == f"{OFFICE}-2026-000001"
        assert created["status"] == "registered"
        petition_id = created["petition_id"]
        assert response.headers["location"] == f"/v1/petitions/{petition_id}"

        envelope = await next_envelope(events, "petition.registered")
        assert envelope.subject == f"petition:{petition_id}"
        assert envelope.producer == "intake"
        registered = read_event(envelope)
        assert isinstance(registered, PetitionRegistered)
        assert registered.registration_number == created["registration_number"]
        assert registered.registered_at == NOW
        assert registered.accused_unit_ids == ["unit-construction-co"]
        # no identity travels: only the contract's fields, and a pseudonym
        assert set(envelope.data) == set(PetitionRegistered.model_fields)
        assert re.fullmatch(r"pr_[A-Za-z0-9_-]{22}", envelope.data["petitioner_ref"])
        raw = json.dumps(envelope.data)
        assert not re.search(r"name|phone|address|id_number|gender", raw)

        decided = await client.post(
            f"/v1/petitions/{petition_id}/decision",
            json={"decision": "accept", "decided_by": "clerk-2"},
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "accepted"
        accepted = await next_envelope(events, "petition.accepted")
        # received on 2 March (Shanghai), + 15 calendar days = Tuesday 17 March
        assert accepted.data["acceptance_notice_due"] == "2026-03-17"
        assert accepted.data["accepted_by"] == "clerk-2"
        assert accepted.data["petition"]["registration_number"] == created["registration_number"]

        again = await client.post(
            f"/v1/petitions/{petition_id}/decision",
            json={"decision": "accept", "decided_by": "clerk-2"},
        )
        assert again.status_code == 409
        assert again.headers["content-type"].startswith(PROBLEM)
        assert again.json()["type"] == "/problems/petition-already-decided"

        view = (await client.get(f"/v1/petitions/{petition_id}")).json()
        assert view["registration_number"] == created["registration_number"]
        assert (view["status"], view["channel"], view["kind"]) == (
            "accepted",
            "letter",
            "help_request",
        )
        assert view["received_at"] == "2026-03-01T17:30:00Z"
        assert view["decision"]["decision"] == "accept"
        assert view["decision"]["acceptance_notice_due"] == "2026-03-17"
        assert "petitioner_ref" not in view


async def test_not_accepted_and_unknown_petitions(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    settings = settings_for(broker_namespace, database_url=await migrated(postgres_url))
    async with tap(broker_namespace) as events, running(settings) as client:
        created = (await client.post("/v1/petitions", json=registration(anonymous=True))).json()
        registered = await next_envelope(events, "petition.registered")
        assert registered.data["anonymous"] is True
        assert registered.data["petitioner_ref"] is None

        declined = await client.post(
            f"/v1/petitions/{created['petition_id']}/decision",
            json={
                "decision": "not_accept",
                "reason": "statutory_remedy_required",
                "proper_channel": "向劳动人事争议仲裁委员会申请仲裁",
                "decided_by": "clerk-2",
            },
        )
        assert declined.status_code == 200, declined.text
        assert declined.json()["status"] == "not_accepted"
        envelope = await next_envelope(events, "petition.not_accepted")
        assert envelope.data["reason"] == "statutory_remedy_required"
        assert envelope.data["decided_at"] == "2026-03-02T02:00:00Z"

        unknown = uuid.uuid4()
        missing = await client.post(
            f"/v1/petitions/{unknown}/decision", json={"decision": "accept", "decided_by": "c"}
        )
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith(PROBLEM)
        assert (await client.get(f"/v1/petitions/{unknown}")).status_code == 404


async def test_invalid_requests_are_422_problems_and_consume_no_number(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    settings = settings_for(broker_namespace, database_url=await migrated(postgres_url))
    async with running(settings) as client:
        invalid = await client.post(
            "/v1/petitions", json=registration(summary="", people_count=0, division_code="37")
        )
        assert invalid.status_code == 422
        assert invalid.headers["content-type"].startswith(PROBLEM)
        fields = {error["field"] for error in invalid.json()["errors"]}
        assert fields == {"body.summary", "body.people_count", "body.division_code"}

        identity = await client.post("/v1/petitions", json=registration(name="张三"))
        assert identity.status_code == 422  # no identity is taken yet, not even by accident
        assert [e["field"] for e in identity.json()["errors"]] == ["body.name"]

        future = (NOW + timedelta(minutes=5)).isoformat()
        refused = await client.post("/v1/petitions", json=registration(received_at=future))
        assert refused.status_code == 422
        assert refused.json()["type"] == "/problems/received-in-future"
        assert [e["field"] for e in refused.json()["errors"]] == ["received_at"]

        naive = await client.post(
            "/v1/petitions", json=registration(received_at="2026-03-01T10:00:00")
        )
        assert [e["field"] for e in naive.json()["errors"]] == ["body.received_at"]

        created = (await client.post("/v1/petitions", json=registration())).json()
        assert created["registration_number"] == f"{OFFICE}-2026-000001"  # no gap left behind

        half_decision = await client.post(
            f"/v1/petitions/{created['petition_id']}/decision",
            json={"decision": "not_accept", "decided_by": "clerk-2"},
        )
        assert half_decision.status_code == 422
        fields = {error["field"] for error in half_decision.json()["errors"]}
        assert fields == {"body.not_accept.reason", "body.not_accept.proper_channel"}


async def test_concurrent_registrations_are_numbered_without_gaps_or_duplicates(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    settings = settings_for(broker_namespace, database_url=await migrated(postgres_url))
    async with running(settings) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/petitions", json=registration()) for _ in range(50))
        )
        assert [r.status_code for r in responses] == [201] * 50
        numbers = sorted(r.json()["registration_number"] for r in responses)
        assert numbers == [f"{OFFICE}-2026-{n:06d}" for n in range(1, 51)]

        listing = await client.get("/v1/petitions", params={"office_id": OFFICE, "limit": 100})
        assert len(listing.json()) == 50


async def test_numbers_restart_per_office_and_local_year_and_list_newest_first(
    postgres_url: str, broker_namespace: BrokerNamespace
) -> None:
    settings = settings_for(broker_namespace, database_url=await migrated(postgres_url))
    clock = FixedClock(datetime(2026, 12, 31, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    async with running(settings, clock) as client:

        async def register(office: str) -> dict[str, Any]:
            clock.advance(timedelta(minutes=30))
            response = await client.post(
                "/v1/petitions", json=registration(office_id=office, received_at=NOW.isoformat())
            )
            assert response.status_code == 201, response.text
            return dict(response.json())

        first = await register(OFFICE)  # 23:30 on 31 December
        other = await register("office-370103")  # 00:00 on 1 January: the new year
        second = await register(OFFICE)  # 00:30 on 1 January
        assert first["registration_number"] == f"{OFFICE}-2026-000001"
        assert other["registration_number"] == "office-370103-2027-000001"
        assert second["registration_number"] == f"{OFFICE}-2027-000001"

        await client.post(
            f"/v1/petitions/{second['petition_id']}/decision",
            json={"decision": "accept", "decided_by": "clerk-2"},
        )
        newest = (await client.get("/v1/petitions")).json()
        assert [p["petition_id"] for p in newest] == [
            second["petition_id"],
            other["petition_id"],
            first["petition_id"],
        ]
        page = (await client.get("/v1/petitions", params={"limit": 1, "offset": 1})).json()
        assert [p["petition_id"] for p in page] == [other["petition_id"]]
        registered = (
            await client.get("/v1/petitions", params={"status": "registered", "office_id": OFFICE})
        ).json()
        assert [p["petition_id"] for p in registered] == [first["petition_id"]]
        bad_filter = await client.get("/v1/petitions", params={"status": "closed"})
        assert bad_filter.status_code == 422


async def test_sqlite_default_database(tmp_path: Path, broker_namespace: BrokerNamespace) -> None:
    settings = settings_for(broker_namespace, data_dir=tmp_path)
    assert settings.database_url is None
    await asyncio.to_thread(upgrade, "huiyin_intake", settings.sqlalchemy_url())
    async with tap(broker_namespace) as events, running(settings) as client:
        response = await client.post("/v1/petitions", json=registration())
        assert response.status_code == 201, response.text
        petition_id = response.json()["petition_id"]
        envelope = await next_envelope(events, "petition.registered")
        assert envelope.data["petition_id"] == petition_id
        decided = await client.post(
            f"/v1/petitions/{petition_id}/decision",
            json={"decision": "accept", "decided_by": "clerk-2"},
        )
        assert decided.json()["decision"]["acceptance_notice_due"] == "2026-03-17"
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
    assert (tmp_path / "intake.db").exists()
