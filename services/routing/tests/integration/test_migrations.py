"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from huiyin_routing.db import metadata
from huiyin_shared.db.engine import create_engine
from huiyin_shared.db.migrations import upgrade

pytestmark = pytest.mark.integration


async def test_migrations_match_the_metadata(postgres_url: str) -> None:
    await asyncio.to_thread(upgrade, "huiyin_routing", postgres_url)
    engine = create_engine(postgres_url, pool_size=1)

    def diff(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await engine.dispose()
