"""Fixtures of the end-to-end tests: one running suite per test session, shared by the tests.

Tests drive the services only through HTTP (as a portal and staff would) and watch the
broker only from their own queues. A failing test gets the tail of every process's log
in its report.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.harness import Staff, Suite

from huiyin_shared.http.auth import StaffRole
from huiyin_shared.testing.infrastructure import Infrastructure

OFFICE = "370102-xfb"
"""The registering office of the walk-through (历下区信访局 in the sample registry)."""


@pytest.fixture(scope="session")
def suite(
    infrastructure: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    running = Suite(
        workdir=Path(tmp_path_factory.mktemp("e2e")),
        postgres_url=infrastructure.postgres_url,
        amqp_url=infrastructure.amqp_url,
    )
    _SUITES.append(running)
    try:
        running.create()
        running.migrate()
        if importlib.util.find_spec("huiyin_routing.cli") is not None:
            running.load_sample_registry()
        running.start()
        yield running
    finally:
        running.destroy()
        _SUITES.remove(running)


_SUITES: list[Suite] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    if report.failed:
        for running in _SUITES:
            report.sections.append(("huiyin service logs", running.logs()))
    return report


@pytest.fixture(scope="session")
def clerk(suite: Suite) -> Iterator[Staff]:
    staff = Staff(suite, "clerk-01", OFFICE, StaffRole.CLERK)
    yield staff
    staff.close()


@pytest.fixture(scope="session")
def officer(suite: Suite) -> Iterator[Staff]:
    staff = Staff(suite, "officer-01", "370100-jw", StaffRole.DISCIPLINE_OFFICER)
    yield staff
    staff.close()


@pytest.fixture(scope="session")
def supervisor(suite: Suite) -> Iterator[Staff]:
    staff = Staff(suite, "supervisor-01", OFFICE, StaffRole.SUPERVISOR)
    yield staff
    staff.close()
