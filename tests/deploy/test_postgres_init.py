"""The compose PostgreSQL init script, run against the real server.

It creates one role and one database per service; each role can migrate its own database
and cannot connect to another's. Names get a unique prefix here so the test touches nothing
else on the server (roles are cluster-wide), and everything is dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from huiyin_shared.db.migrations import upgrade
from huiyin_shared.testing.infrastructure import Infrastructure

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "routing", "supervision", "accountability")

pytestmark = pytest.mark.integration


def psql(
    server: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    parts = urlsplit(server)
    environment = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        **(env or {}),
    }
    if parts.password:
        environment["PGPASSWORD"] = parts.password
    return subprocess.run(
        [shutil.which("psql") or "psql", "-v", "ON_ERROR_STOP=1", "-Atq", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=60,
    )


@pytest.fixture
def prefix(infrastructure: Infrastructure) -> Iterator[str]:
    prefix = f"t{uuid.uuid4().hex[:8]}_huiyin"
    yield prefix
    server = infrastructure.postgres_url
    user = urlsplit(server).username or "postgres"
    for service in SERVICES:
        name = f"{prefix}_{service}"
        psql(server, "-U", user, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"')
        psql(server, "-U", user, "-d", "postgres", "-c", f'DROP ROLE IF EXISTS "{name}"')


def test_each_service_gets_its_own_role_and_database(
    infrastructure: Infrastructure, prefix: str, tmp_path: Path
) -> None:
    server = infrastructure.postgres_url
    superuser = urlsplit(server).username or "postgres"
    script = (ROOT / "deploy/postgres/init-databases.sh").read_text(encoding="utf-8")
    assert script.count("huiyin_$svc") == 1, "the one place the names are made"
    (tmp_path / "init.sh").write_text(script.replace("huiyin_$svc", f"{prefix}_$svc"))

    run = subprocess.run(
        ["sh", str(tmp_path / "init.sh")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={
            **os.environ,
            "POSTGRES_USER": superuser,
            "PGHOST": urlsplit(server).hostname or "127.0.0.1",
            "PGPORT": str(urlsplit(server).port or 5432),
            # A password psql must quote: the script never pastes it into SQL.
            "HUIYIN_DB_PASSWORD": 'it\'s "quoted"; --',
        },
    )
    assert run.returncode == 0, run.stderr

    host = urlsplit(server).hostname
    port = urlsplit(server).port or 5432
    for service in SERVICES:
        role = f"{prefix}_{service}"
        owner = psql(
            server,
            "-U",
            superuser,
            "-d",
            "postgres",
            "-c",
            f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{role}'",
        )
        assert owner.stdout.strip() == role

    # Each role migrates its own database (the compose migrate containers do this) ...
    routing = f"{prefix}_routing"
    upgrade("huiyin_routing", f"postgresql+asyncpg://{routing}@{host}:{port}/{routing}")
    tables = psql(
        server, "-U", routing, "-d", routing, "-c", "SELECT count(*) FROM outbox_messages"
    )
    assert tables.returncode == 0, tables.stderr
    assert tables.stdout.strip() == "0"

    # ... and cannot even connect to another service's.
    intake = f"{prefix}_intake"
    denied = psql(server, "-U", routing, "-d", intake, "-c", "SELECT 1")
    assert denied.returncode != 0
    assert "permission denied" in denied.stderr
