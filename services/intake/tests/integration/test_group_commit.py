"""Portal submissions that wait for their office's group in progress are numbered and
committed together; a group that fails costs its submissions nothing but time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from huiyin_shared.runtime import ServiceApp

SUBMIT = "/v1/portal/petitions"


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():
            await asyncio.sleep(0.01)


def anonymous(intake: Any, n: int) -> dict[str, Any]:
    return intake.petition(
        channel="online",
        anonymous=True,
        identity=None,
        summary=f"第{n}件：小区门口道路破损多年无人修缮",
    )


@asynccontextmanager
async def counter_held(service: ServiceApp, office: str) -> AsyncIterator[AsyncConnection]:
    """The office's counter row locked by another transaction, as a slow group would."""
    async with service.platform.engine.connect() as holder:
        await holder.execute(
            text("SELECT last_value FROM registration_counters WHERE office_id = :o FOR UPDATE"),
            {"o": office},
        )
        yield holder
        await holder.rollback()


async def queue_behind_a_held_group(
    client: httpx.AsyncClient,
    service: ServiceApp,
    office: str,
    posts: list[dict[str, Any]],
    meanwhile: Callable[[], Awaitable[None]] | None = None,
) -> list[httpx.Response]:
    """The first of ``posts`` makes a group that waits on the held counter; the others queue
    behind it (then ``meanwhile`` runs) and are released together. Their answers, in order."""
    groups = sample("huiyin_registration_group_size_count")
    async with counter_held(service, office):
        lead = asyncio.create_task(client.post(SUBMIT, **posts[0]))
        await until(lambda: sample("huiyin_registration_group_size_count") == groups + 1)
        rest = [asyncio.create_task(client.post(SUBMIT, **post)) for post in posts[1:]]
        await until(lambda: sample("huiyin_registrations_waiting") == len(rest))
        if meanwhile is not None:
            await meanwhile()
    return await asyncio.gather(lead, *rest)


async def test_waiting_submissions_go_together_with_gapless_numbers(intake: Any) -> None:
    key = {"X-API-Key": await intake.portal_key()}
    retried = {**key, "Idempotency-Key": "retry-9c1e"}
    async with intake.running() as (client, service):
        first = await client.post(SUBMIT, json=anonymous(intake, 0), headers=key)
        assert first.status_code == 201, first.text
        sizes = sample("huiyin_registration_group_size_sum")
        answers = await queue_behind_a_held_group(
            client,
            service,
            intake.office,
            [
                {"json": anonymous(intake, 1), "headers": {**key, "X-Request-ID": "req-1"}},
                {"json": anonymous(intake, 2), "headers": {**key, "X-Request-ID": "req-2"}},
                {"json": intake.petition(channel="online"), "headers": retried},
                {"json": anonymous(intake, 3), "headers": {**key, "X-Request-ID": "req-3"}},
                {"json": intake.petition(channel="online"), "headers": retried},
            ],
        )
    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    # The retry in the same group waited for it and got the first answer back.
    assert sorted(answers[i].headers.get("idempotent-replayed", "") for i in (2, 4)) == [
        "",
        "true",
    ]
    assert answers[4].json() == answers[2].json()
    assert sample("huiyin_registration_group_size_sum") - sizes == 5  # 1, then 4 together

    numbers = sorted({a.json()["registration_number"] for a in [first, *answers]})
    assert numbers == [f"{intake.office}-2026-{n:06d}" for n in range(1, 6)]
    async with intake.client() as client:
        page = (await client.get("/v1/petitions", headers=intake.clerk)).json()
    assert page["total"] == 5
    # Each event written in the group carries its own request's correlation id.
    correlation = {
        e.data["registration_number"]: e.correlation_id
        for e in await intake.outbox()
        if e.type == "petition.registered"
    }
    for n, answer in zip((1, 2, 3), (answers[0], answers[1], answers[3]), strict=True):
        assert correlation[answer.json()["registration_number"]] == f"req-{n}"


async def test_a_failed_group_registers_its_submissions_one_by_one(intake: Any) -> None:
    key = {"X-API-Key": await intake.portal_key()}
    taken = {**key, "Idempotency-Key": "taken-elsewhere"}
    async with intake.running() as (client, service):
        first = await client.post(SUBMIT, json=anonymous(intake, 0), headers=key)
        assert first.status_code == 201, first.text

        async def another_replica_keeps_an_answer_for_the_key() -> None:
            # With another body: the group's write of that key fails at the unique index,
            # and with it the group.
            async with service.platform.engine.begin() as other:
                await other.execute(
                    text(
                        "INSERT INTO idempotency_records"
                        " (portal_id, idempotency_key, request_hash, created_at)"
                        " VALUES ('web', 'taken-elsewhere', 'another-body', now())"
                    )
                )

        answers = await queue_behind_a_held_group(
            client,
            service,
            intake.office,
            [
                {"json": anonymous(intake, 1), "headers": key},
                {"json": anonymous(intake, 2), "headers": taken},
                {"json": anonymous(intake, 3), "headers": key},
            ],
            meanwhile=another_replica_keeps_an_answer_for_the_key,
        )
    assert answers[0].status_code == 201
    assert answers[1].status_code == 422, answers[1].text
    assert answers[1].json()["type"] == "/problems/idempotency-key-reused"
    assert answers[2].status_code == 201, answers[2].text
    # The failed group's numbers were never used: the next one took them.
    numbers = sorted(a.json()["registration_number"] for a in (first, answers[0], answers[2]))
    assert numbers == [f"{intake.office}-2026-{n:06d}" for n in range(1, 4)]


async def test_a_submission_held_up_too_long_is_answered_503_and_safely_retried(
    intake: Any,
) -> None:
    intake.settings = intake.settings.model_copy(update={"registration_wait_seconds": 0.5})
    key = {"X-API-Key": await intake.portal_key()}
    lead = {**key, "Idempotency-Key": "held-lead"}
    follower = {**key, "Idempotency-Key": "held-follower"}
    async with intake.running() as (client, service):
        first = await client.post(SUBMIT, json=anonymous(intake, 0), headers=key)
        assert first.status_code == 201, first.text
        groups = sample("huiyin_registration_group_size_count")
        async with counter_held(service, intake.office):
            # The lead's group waits on the counter; the follower waits behind that group.
            led = asyncio.create_task(client.post(SUBMIT, json=anonymous(intake, 1), headers=lead))
            await until(lambda: sample("huiyin_registration_group_size_count") == groups + 1)
            followed = asyncio.create_task(
                client.post(SUBMIT, json=anonymous(intake, 2), headers=follower)
            )
            held = await asyncio.gather(led, followed)
        for answer in held:
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            assert answer.json()["type"] == "/problems/unavailable"

        # The lead's group went on once the counter was free: its retry gets its answer.
        # The follower's group never started: its retry registers it now.
        lead_again = await client.post(SUBMIT, json=anonymous(intake, 1), headers=lead)
        follower_again = await client.post(SUBMIT, json=anonymous(intake, 2), headers=follower)
    assert lead_again.status_code == 201, lead_again.text
    assert lead_again.headers.get("idempotent-replayed") == "true"
    assert follower_again.status_code == 201, follower_again.text
    assert "idempotent-replayed" not in follower_again.headers
    numbers = [a.json()["registration_number"] for a in (first, lead_again, follower_again)]
    assert numbers == [f"{intake.office}-2026-{n:06d}" for n in range(1, 4)]
