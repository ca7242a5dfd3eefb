"""The dialect's own INSERT, for ON CONFLICT clauses (PostgreSQL in production, SQLite embedded).

Statements are built once per table and dialect: hot paths pass their values as execute
parameters, so SQLAlchemy finds the compiled form in its cache instead of walking a fresh
``.values(...)`` on every call, which costs more than running the statement.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_insert(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT INTO table`` in the session's dialect (it has ``on_conflict_do_*``)."""
    return _insert(table, session.get_bind().dialect.name)


@cache
def _insert(table: Table, dialect: str) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"ON CONFLICT is written for PostgreSQL and SQLite, not {dialect}")
