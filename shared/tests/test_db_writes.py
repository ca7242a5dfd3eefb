"""Pending writes: held back, sent together before the next statement or at commit."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from huiyin_shared.db.engine import create_engine, reading_session_factory, session_factory
from huiyin_shared.db.writes import (
    ReadsOnlyError,
    defer_insert,
    defer_update,
    discard_pending_writes,
    send_pending_writes,
)

pytestmark = pytest.mark.integration

metadata = MetaData()
parents = Table(
    "parents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(40), nullable=False),
    Column("version", Integer, nullable=False),
)
children = Table(
    "children",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("parent_id", Uuid, ForeignKey("parents.id"), nullable=False),
)
events = Table(
    "events",
    metadata,
    Column("position", BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True),
    Column("label", String(40), nullable=False),
)


@pytest.fixture
async def engine(any_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(any_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


def statements_of(engine: AsyncEngine) -> list[str]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2].split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


async def count(session: AsyncSession, table: Table) -> int:
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_writes_go_out_together_at_commit_in_order(engine: AsyncEngine) -> None:
    parent = uuid.uuid4()
    sessions = session_factory(engine)
    async with sessions() as session:
        seen = statements_of(engine)
        defer_insert(session, parents, {"id": parent, "name": "甲", "version": 1})
        defer_insert(session, children, {"id": uuid.uuid4(), "parent_id": parent})
        for label in ("first", "second", "third"):
            defer_insert(session, events, {"label": label})
        assert seen == []  # nothing sent yet
        await send_pending_writes(session)
        await session.commit()
    if engine.dialect.name == "postgresql":
        assert seen == ["WITH"], "child, parent and three events in one statement"
    else:
        assert seen == ["INSERT", "INSERT", "INSERT"]  # one per table, rows as executemany
    async with sessions() as session:
        labels = (await session.execute(select(events.c.label).order_by(events.c.position))).all()
        assert [label for (label,) in labels] == ["first", "second", "third"]
        assert await count(session, children) == 1


async def test_a_statement_sees_the_writes_queued_before_it(engine: AsyncEngine) -> None:
    parent = uuid.uuid4()
    async with session_factory(engine)() as session:
        defer_insert(session, parents, {"id": parent, "name": "甲", "version": 1})
        assert await count(session, parents) == 1
        await session.rollback()


async def test_an_update_after_inserts_of_its_table_finds_the_row(engine: AsyncEngine) -> None:
    parent = uuid.uuid4()
    sessions = session_factory(engine)
    async with sessions() as session:
        defer_insert(session, parents, {"id": parent, "name": "甲", "version": 1})
        await defer_update(session, parents, where={"id": parent}, values={"version": 2})
        defer_insert(session, events, {"label": "updated"})
        await send_pending_writes(session)
        await session.commit()
    async with sessions() as session:
        version = (await session.execute(select(parents.c.version))).scalar_one()
        assert version == 2
        assert await count(session, events) == 1


async def store_parent(sessions: async_sessionmaker[AsyncSession], parent: uuid.UUID) -> None:
    async with sessions() as session:
        defer_insert(session, parents, {"id": parent, "name": "甲", "version": 1})
        await send_pending_writes(session)
        await session.commit()


async def versions(sessions: async_sessionmaker[AsyncSession]) -> dict[uuid.UUID, int]:
    async with sessions() as session:
        return dict((await session.execute(select(parents.c.id, parents.c.version))).all())


async def test_an_update_of_a_pending_row_by_its_key_changes_the_row(engine: AsyncEngine) -> None:
    parent, other = uuid.uuid4(), uuid.uuid4()
    sessions = session_factory(engine)
    async with sessions() as session:
        seen = statements_of(engine)
        defer_insert(session, parents, {"id": parent, "name": "甲", "version": 1})
        defer_insert(session, parents, {"id": other, "name": "乙", "version": 1})
        await defer_update(session, parents, where={"id": parent}, values={"version": 2})
        await send_pending_writes(session)
        await session.commit()
    assert seen == ["INSERT"], "the rows inserted as they end up, no UPDATE"
    assert await versions(sessions) == {parent: 2, other: 1}


async def test_an_update_not_by_key_sends_the_pending_inserts_first(engine: AsyncEngine) -> None:
    stored, pending = uuid.uuid4(), uuid.uuid4()
    sessions = session_factory(engine)
    await store_parent(sessions, stored)
    async with sessions() as session:
        seen = statements_of(engine)
        defer_insert(session, parents, {"id": pending, "name": "甲", "version": 1})
        # Also matches the stored row: changing only the pending one would miss it.
        await defer_update(session, parents, where={"name": "甲"}, values={"version": 3})
        await send_pending_writes(session)
        await session.commit()
    assert seen == ["INSERT", "UPDATE"]
    assert await versions(sessions) == {stored: 3, pending: 3}


async def test_skipping_conflicts_leaves_out_rows_already_there(engine: AsyncEngine) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    sessions = session_factory(engine)
    await store_parent(sessions, first)
    async with sessions() as session:
        seen = statements_of(engine)
        for row in (
            {"id": first, "name": "again", "version": 9},  # stored before
            {"id": second, "name": "乙", "version": 1},
            {"id": second, "name": "again", "version": 9},  # twice in one statement
        ):
            defer_insert(session, parents, row, skip_conflicts=True)
        defer_insert(session, events, {"label": "kept"})
        # Not merged into the pending row, which gives way to the stored one: it updates that.
        await defer_update(session, parents, where={"id": first}, values={"version": 2})
        await send_pending_writes(session)
        await session.commit()
    if engine.dialect.name == "postgresql":
        assert seen == ["WITH", "UPDATE"]
    async with sessions() as session:
        rows = (
            await session.execute(select(parents.c.id, parents.c.name, parents.c.version))
        ).all()
        assert sorted(rows) == sorted([(first, "甲", 2), (second, "乙", 1)])
        assert await count(session, events) == 1


async def test_an_update_may_match_on_the_column_it_sets(engine: AsyncEngine) -> None:
    parent = uuid.uuid4()
    sessions = session_factory(engine)
    async with sessions() as session:
        defer_insert(session, parents, {"id": parent, "name": "甲", "version": 1})
        await send_pending_writes(session)
        await defer_update(
            session, parents, where={"id": parent, "version": 1}, values={"version": 2}
        )
        defer_insert(session, events, {"label": "bumped"})
        await send_pending_writes(session)
        await session.commit()
    async with sessions() as session:
        assert (await session.execute(select(parents.c.version))).scalar_one() == 2


async def test_discarded_writes_are_never_sent(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session:
        defer_insert(session, events, {"label": "dropped"})
        discard_pending_writes(session)
        await session.commit()
    async with sessions() as session:
        assert await count(session, events) == 0


async def in_transaction(session: AsyncSession) -> bool:
    raw = await (await session.connection()).get_raw_connection()
    return bool(raw.driver_connection.is_in_transaction())  # type: ignore[union-attr]


async def test_a_reading_session_reads_outside_a_transaction_and_refuses_writes(
    engine: AsyncEngine,
) -> None:
    async with reading_session_factory(engine)() as session:
        assert await count(session, parents) == 0
        if engine.dialect.name == "postgresql":
            assert not await in_transaction(session)
        with pytest.raises(ReadsOnlyError):
            await session.execute(insert(parents).values(id=uuid.uuid4(), name="甲", version=1))
        with pytest.raises(ReadsOnlyError):
            defer_insert(session, events, {"label": "never"})
    async with session_factory(engine)() as session:
        assert await count(session, parents) == 0
        if engine.dialect.name == "postgresql":
            assert await in_transaction(session)
        assert await count(session, events) == 0
