"""Property-based run over the served OpenAPI document: whatever schemathesis generates,
no 5xx and no answer that breaks the documented schema. The service runs as a real process
on a migrated PostgreSQL database, with a valid staff token and portal key so that the
generated requests get past authentication and reach the rules."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from huiyin_intake import cli
from huiyin_intake.config import IntakeSettings
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.http.auth import StaffRole, issue_token
from huiyin_shared.testing.infrastructure import Infrastructure, create_database, drop_database

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def intake_server(infrastructure: Infrastructure) -> Iterator[dict[str, Any]]:
    name = f"huiyin_test_{uuid.uuid4().hex[:12]}"
    url = asyncio.run(create_database(infrastructure.postgres_url, name))
    upgrade("huiyin_intake", url)
    port = _free_port()
    prefix = f"t{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "HUIYIN_INTAKE_DATABASE_URL": url,
        "HUIYIN_INTAKE_AMQP_URL": infrastructure.amqp_url,
        "HUIYIN_INTAKE_EVENTS_EXCHANGE": f"{prefix}.events",
        "HUIYIN_INTAKE_QUEUE_PREFIX": prefix,
        "HUIYIN_INTAKE_HTTP_PORT": str(port),
        "HUIYIN_INTAKE_LOG_LEVEL": "WARNING",
    }
    os.environ["HUIYIN_INTAKE_DATABASE_URL"] = url
    try:
        key = _issue_key()
    finally:
        del os.environ["HUIYIN_INTAKE_DATABASE_URL"]
    process = subprocess.Popen(
        [sys.executable, "-m", "huiyin_intake", "serve", "--no-consumers", "--no-relay"], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the intake process exited"
            assert time.monotonic() < deadline, "the intake process did not become ready"
            time.sleep(0.3)
        token = issue_token(
            staff_id="fuzz-1",
            roles=[StaffRole.CLERK, StaffRole.LEADER, StaffRole.IDENTITY_CUSTODIAN],
            unit_id="office-370102",
        )
        yield {
            "base": base,
            "headers": {"Authorization": f"Bearer {token}", "X-API-Key": key},
        }
    finally:
        process.terminate()
        process.wait(timeout=20)
        asyncio.run(drop_database(infrastructure.postgres_url, name))


def _issue_key() -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            cli.COMMANDS["portal-key"].run(
                IntakeSettings(),
                [
                    "issue",
                    "--portal",
                    "fuzz",
                    "--office",
                    "office-370102",
                    "--scope",
                    "submit",
                    "--scope",
                    "track",
                    "--scope",
                    "feedback",
                ],
            )
            == 0
        )
    return out.getvalue().strip().splitlines()[-1]


def test_no_server_error_and_no_schema_violation(intake_server: dict[str, Any]) -> None:
    """Every operation of the document, each with generated requests (schemathesis's pytest
    plugin does not run under this pytest, so the operations are driven directly)."""
    schema = schemathesis.openapi.from_url(f"{intake_server['base']}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: dict[str, str] = {}
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            response = case.call_and_validate(
                base_url=intake_server["base"],
                headers=intake_server["headers"],
                checks=[not_a_server_error, response_schema_conformance],
            )
            statuses.append(response.status_code)

        try:
            check()
        except Exception as exc:  # collect them all, then fail once with every finding
            failures[operation.label] = str(exc)[:2000]
    # generated requests got past authentication and validation to the rules, not only 4xx
    assert {200, 201} <= set(statuses)
    assert not failures, "\n\n".join(f"{label}: {text}" for label, text in failures.items())
