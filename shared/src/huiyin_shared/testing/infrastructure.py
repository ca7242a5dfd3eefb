"""Where the tests' PostgreSQL and RabbitMQ come from.

1. ``HUIYIN_TEST_POSTGRES_URL`` / ``HUIYIN_TEST_AMQP_URL`` when set;
2. else the local servers (127.0.0.1:5432 trust auth, 127.0.0.1:5672 guest/guest);
3. else, when a Docker engine answers, containers started with testcontainers.

Nothing here ever skips: an integration test without its infrastructure fails, loudly.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from contextlib import ExitStack
from urllib.parse import urlsplit

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, check=False, timeout=20)  # noqa: S607
    return probe.returncode == 0


class Infrastructure:
    """Resolves the two URLs once per test session; owns any containers it started."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self.postgres_url = self._postgres()
        self.amqp_url = self._amqp()

    def _postgres(self) -> str:
        url = os.environ.get("HUIYIN_TEST_POSTGRES_URL") or LOCAL_POSTGRES
        if _reachable(url, 5432) or "HUIYIN_TEST_POSTGRES_URL" in os.environ:
            return url
        if _docker_available():
            from testcontainers.community.postgres import PostgresContainer

            container = self._stack.enter_context(PostgresContainer("postgres:16-alpine"))
            return str(container.get_connection_url(driver=None))
        raise RuntimeError(
            "no PostgreSQL for the tests: set HUIYIN_TEST_POSTGRES_URL, start the local server "
            "(scripts/test does), or run a Docker engine"
        )

    def _amqp(self) -> str:
        url = os.environ.get("HUIYIN_TEST_AMQP_URL") or LOCAL_AMQP
        if _reachable(url, 5672) or "HUIYIN_TEST_AMQP_URL" in os.environ:
            return url
        if _docker_available():
            from testcontainers.community.rabbitmq import RabbitMqContainer

            container = self._stack.enter_context(RabbitMqContainer("rabbitmq:3.13-management"))
            host = container.get_container_host_ip()
            port = container.get_exposed_port(5672)
            return f"amqp://guest:guest@{host}:{port}/"
        raise RuntimeError(
            "no RabbitMQ for the tests: set HUIYIN_TEST_AMQP_URL, start the local broker "
            "(scripts/test does), or run a Docker engine"
        )

    def close(self) -> None:
        self._stack.close()


def asyncpg_dsn(url: str) -> str:
    """A plain libpq-style URL for asyncpg from either URL flavour."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def sqlalchemy_url(url: str) -> str:
    return asyncpg_dsn(url).replace("postgresql://", "postgresql+asyncpg://", 1)


async def create_database(admin_url: str, name: str) -> str:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    parts = urlsplit(asyncpg_dsn(admin_url))
    return sqlalchemy_url(parts._replace(path=f"/{name}").geturl())


async def drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
