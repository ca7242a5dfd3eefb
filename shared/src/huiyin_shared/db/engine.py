"""Async engine creation for PostgreSQL (asyncpg) and the embedded SQLite default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from huiyin_shared.settings import ServiceSettings


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; a SQLite file gets its directory, WAL mode and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: on asyncpg it is BEGIN, a statement and ROLLBACK, three round trips in
    # front of every transaction. A connection found dead fails its one statement instead,
    # and SQLAlchemy then invalidates the whole pool, so after a database restart one
    # request (answered 503) or one message (redelivered) pays for it, not every one.
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
    )


UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
"""Server shutting down (admin, crash), starting up, out of connection slots."""


def database_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the database could not be reached, not that the work is wrong:
    a connection refused, reset, timed out or found closed, a server shutting down or
    starting up. The same work may well succeed once the database is back."""
    if isinstance(exc, DBAPIError):
        sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
        return (
            exc.connection_invalidated
            or sqlstate.startswith("08")  # connection exception
            or sqlstate in UNAVAILABLE_SQLSTATES
        )
    # Raised unwrapped while the pool opens a connection (refused, reset, timed out).
    return isinstance(exc, OSError | TimeoutError)


def engine_from_settings(settings: ServiceSettings) -> AsyncEngine:
    return create_engine(settings.sqlalchemy_url(), pool_size=settings.database_pool_size)


READS_ONLY = "huiyin.reads_only"
"""Marks, in ``Session.info``, a session of :func:`reading_session_factory`."""


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def reading_session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions that only read, each statement on its own: no transaction, so neither a
    BEGIN nor a ROLLBACK round trip. A write through one is refused before it is sent
    (see :mod:`huiyin_shared.db.writes`)."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
        info={READS_ONLY: True},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
