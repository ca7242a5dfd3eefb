"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from huiyin_shared.db.migrations import upgrade
from huiyin_supervision.db import metadata

pytestmark = pytest.mark.integration


async def test_the_migrated_schema_matches_the_tables(postgres_url: str) -> None:
    await asyncio.to_thread(upgrade, "huiyin_supervision", postgres_url)
    engine = create_async_engine(postgres_url)

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            diff
            for diff in compare_metadata(context, metadata)
            if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")
        ]

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
