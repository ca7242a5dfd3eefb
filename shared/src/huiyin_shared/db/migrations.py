"""Alembic, the same way for every service.

Each service keeps its migrations inside its package (``huiyin_<svc>/migrations``) so they
ship in the wheel and the container image. Its ``env.py`` is two lines that call
:func:`run_migrations` with the service's metadata; :func:`upgrade` applies them, from the
service's ``migrate`` command or a test fixture — never on import.
"""

from __future__ import annotations

import asyncio
from importlib.resources import files

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.engine import Connection

from huiyin_shared.db.engine import create_engine


def alembic_config(package: str, url: str) -> Config:
    """Config for the migrations in ``<package>/migrations`` against ``url``."""
    config = Config()
    config.set_main_option("script_location", str(files(package) / "migrations"))
    # Percent signs in passwords would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(package: str, url: str, revision: str = "head") -> None:
    """Apply migrations (blocking; call it from a thread inside an event loop)."""
    command.upgrade(alembic_config(package, url), revision)


def run_migrations(metadata: MetaData) -> None:
    """The body of every service's ``env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not configured for migrations")
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata))


async def _run_online(url: str, metadata: MetaData) -> None:
    # The kit's engine factory, so a SQLite file gets its directory and pragmas.
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync, metadata)
    finally:
        await engine.dispose()


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    # Batch mode lets SQLite apply ALTERs by copying the table.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def create_messaging_tables() -> None:
    """Create the outbox and inbox tables; every service's first migration calls this."""
    from alembic import op
    from sqlalchemy import BigInteger, Column, Integer, String, Text, Uuid, text

    from huiyin_shared.db.types import UTCDateTime

    op.create_table(
        "inbox_messages",
        Column("event_id", Uuid(), nullable=False),
        Column("consumer", String(length=200), nullable=False),
        Column("event_type", String(length=100), nullable=False),
        Column("received_at", UTCDateTime(), nullable=False),
        _pk("pk_inbox_messages", "event_id", "consumer"),
    )
    op.create_table(
        "outbox_messages",
        Column(
            "position",
            BigInteger().with_variant(Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        Column("event_id", Uuid(), nullable=False),
        Column("event_type", String(length=100), nullable=False),
        Column("routing_key", String(length=200), nullable=False),
        Column("envelope", Text(), nullable=False),
        Column("correlation_id", String(length=200), nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("sent_at", UTCDateTime(), nullable=True),
        Column("attempts", Integer(), server_default="0", nullable=False),
        Column("last_error", Text(), nullable=True),
        _pk("pk_outbox_messages", "position"),
        _unique("uq_outbox_messages_event_id", "event_id"),
    )
    op.create_index(
        "ix_outbox_messages_unsent",
        "outbox_messages",
        ["position"],
        postgresql_where=text("sent_at IS NULL"),
        sqlite_where=text("sent_at IS NULL"),
    )


def drop_messaging_tables() -> None:
    from alembic import op

    op.drop_index("ix_outbox_messages_unsent", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("inbox_messages")


def _pk(name: str, *columns: str) -> PrimaryKeyConstraint:
    return PrimaryKeyConstraint(*columns, name=name)


def _unique(name: str, *columns: str) -> UniqueConstraint:
    return UniqueConstraint(*columns, name=name)
