"""Probes, metrics exposition, clock control, app state and lifespan."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from huiyin_shared.clock import ControlledClock, FixedClock, SystemClock
from huiyin_shared.http import create_app
from huiyin_shared.settings import ServiceSettings

Check = Callable[[], Awaitable[None]]


def build(
    checks: Mapping[str, Check] | None = None, **settings: Any
) -> tuple[FastAPI, httpx.AsyncClient]:
    app = create_app(
        settings=ServiceSettings(service_name="health-test", **settings),
        title="Test",
        version="1",
        readiness_checks=checks or {},
        readiness_timeout=0.5,
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    return app, client


async def ok() -> None:
    await asyncio.sleep(0)


async def broken() -> None:
    raise ConnectionRefusedError("connect to 127.0.0.1:5672 refused")


async def hangs() -> None:
    await asyncio.sleep(30)


def rendezvous(parties: int) -> Check:
    """A check that passes only once ``parties`` checks are running at the same time."""
    arrived: list[None] = []
    everyone = asyncio.Event()

    async def check() -> None:
        arrived.append(None)
        if len(arrived) == parties:
            everyone.set()
        await everyone.wait()

    return check


async def test_healthz_is_ok_without_checking_anything() -> None:
    _, client = build({"database": broken})
    async with client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_when_every_check_passes() -> None:
    _, client = build({"database": ok, "broker": ok})
    async with client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


async def test_readyz_names_the_failing_check_with_a_short_message() -> None:
    _, client = build({"database": ok, "broker": broken})
    async with client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] != "ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ConnectionRefusedError: connect to 127.0.0.1:5672 refused"
    assert "Traceback" not in response.text


async def test_readyz_times_out_a_hanging_check() -> None:
    _, client = build({"database": hangs, "broker": ok})
    started = time.perf_counter()
    async with client:
        response = await client.get("/readyz")

    assert time.perf_counter() - started < 5
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "timed out after 0.5s", "broker": "ok"}


async def test_readyz_runs_the_checks_concurrently() -> None:
    # Run one after another, the first would wait for the others and time out.
    meet = rendezvous(3)
    _, client = build({"a": meet, "b": meet, "c": meet})
    async with client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"a": "ok", "b": "ok", "c": "ok"}


async def test_metrics_serves_the_prometheus_text_format() -> None:
    _, client = build()
    async with client:
        await client.get("/healthz")
        await client.get("/nowhere")
        response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE huiyin_http_requests_total counter" in response.text
    assert 'service="health-test"' in response.text


async def test_clock_control_moves_every_clock_sharing_the_file(tmp_path: Path) -> None:
    control_file = tmp_path / "clock.json"
    app, client = build(clock_control_file=control_file)
    other_process = ControlledClock(control_file)
    assert isinstance(app.state.clock, ControlledClock)

    async with client:
        before = await client.get("/_control/clock")
        advanced = await client.post("/_control/clock/advance", json={"seconds": 7200})
        after = await client.get("/_control/clock")

    assert before.status_code == 200
    assert before.json()["offset_seconds"] == 0
    assert advanced.status_code == 200
    assert advanced.json()["offset_seconds"] == 7200
    assert after.json()["offset_seconds"] == 7200
    assert other_process.offset() == timedelta(hours=2)
    reported_now = datetime.fromisoformat(after.json()["now"])
    assert abs(reported_now - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=1)


@pytest.mark.parametrize("seconds", [-1, "nan", "inf"])
async def test_clock_control_never_moves_backwards(tmp_path: Path, seconds: object) -> None:
    control_file = tmp_path / "clock.json"
    _, client = build(clock_control_file=control_file)
    ControlledClock(control_file).advance(timedelta(hours=1))

    async with client:
        response = await client.post("/_control/clock/advance", json={"seconds": seconds})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.seconds"
    assert ControlledClock(control_file).offset() == timedelta(hours=1)


async def test_clock_control_is_absent_without_a_controlled_clock() -> None:
    app, client = build()
    async with client:
        read = await client.get("/_control/clock")
        advance = await client.post("/_control/clock/advance", json={"seconds": 60})

    assert isinstance(app.state.clock, SystemClock)
    assert read.status_code == 404
    assert advance.status_code == 404


def test_app_state_holds_settings_and_the_given_clock() -> None:
    settings = ServiceSettings(service_name="state-test")
    clock = FixedClock(datetime(2025, 3, 1, tzinfo=UTC))

    app = create_app(settings=settings, title="T", version="1", clock=clock)

    assert app.state.settings is settings
    assert app.state.clock is clock
    assert app.title == "T"
    assert app.version == "1"


async def test_the_service_lifespan_is_handed_through() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        events.append("started")
        yield
        events.append("stopped")

    app = create_app(
        settings=ServiceSettings(service_name="lifespan-test"),
        title="T",
        version="1",
        lifespan=lifespan,
    )
    async with app.router.lifespan_context(app):
        assert events == ["started"]
    assert events == ["started", "stopped"]
