"""Fixtures of the end-to-end tests: one running suite per test session, shared by the tests.

Tests drive the services only through HTTP (as a portal and staff would) and watch the
broker only from their own queues. A failing test gets the tail of every process's log
in its report.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.flow import OFFICE, People, Portal
from tests.e2e.harness import Suite

from huiyin_shared.testing.infrastructure import Infrastructure


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
        running.launch()
        running.watch_everything()
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
def people(suite: Suite) -> Iterator[People]:
    everyone = People.of(suite)
    yield everyone
    everyone.close()


@pytest.fixture(scope="session")
def portal(suite: Suite) -> Iterator[Portal]:
    web = Portal(suite, suite.issue_portal_key("web", OFFICE))
    yield web
    web.close()


FIRST = ("test_readme_walkthrough",)
"""The README speaks of a fresh suite: it runs before the other tests fill it."""
LAST = ("test_failure_path", "test_ledger_intact")
"""Moving the clock by months, then checking the ledger after everything else ran."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def place(item: pytest.Item) -> tuple[int, int]:
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        if "tests/e2e/" not in item.nodeid or module not in FIRST + LAST:
            return (1, 0)
        return (0, FIRST.index(module)) if module in FIRST else (2, LAST.index(module))

    items.sort(key=place)
