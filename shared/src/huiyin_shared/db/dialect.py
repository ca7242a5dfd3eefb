"""The dialect's own INSERT, for ON CONFLICT clauses (PostgreSQL in production, SQLite embedded).

Statements are built once per table and dialect: hot paths pass their values as execute
parameters, so SQLAlchemy finds the compiled form in its cache instead of walking a fresh
``.values(...)`` on every call, which costs more than running the statement.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_insert(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT INTO table`` in the session's dialect (it has ``on_conflict_do_*``)."""
    return insert_for(table, session.get_bind().dialect.name)


S = TypeVar("S")

DialectInsert = Callable[[Table], postgresql.Insert | sqlite.Insert]


def per_dialect(build: Callable[[DialectInsert], S]) -> Callable[[AsyncSession], S]:
    """A statement with dialect clauses (ON CONFLICT …) built once per dialect.

    ``build`` gets the dialect's ``insert`` and returns the whole statement, its values
    left to execute parameters; the decorated function gives a session's statement::

        @per_dialect
        def _upsert(insert: DialectInsert) -> Insert:
            stmt = insert(table)
            return stmt.on_conflict_do_update(index_elements=[...], set_={...})

        await session.execute(_upsert(session), values)
    """
    built: dict[str, S] = {}

    def statement(session: AsyncSession) -> S:
        dialect = session.get_bind().dialect.name
        if dialect not in built:
            built[dialect] = build(partial(insert_for, dialect=dialect))
        return built[dialect]

    return statement


@cache
def insert_for(table: Table, dialect: str) -> postgresql.Insert | sqlite.Insert:
    """``INSERT INTO table`` in the named dialect (``postgresql`` or ``sqlite``)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"ON CONFLICT is written for PostgreSQL and SQLite, not {dialect}")
