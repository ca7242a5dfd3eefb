"""Pending writes: INSERTs and UPDATEs held back and sent together as one statement.

A unit of work's writes that nothing reads in between (a petition, its identity, its events,
a stored answer) cost a round trip each, and on a busy event loop every round trip is also
a wait for the loop's next turn. Held back here, they go out together like the ORM's
autoflush: before the session's next statement of any kind, and at commit.

On PostgreSQL they become one statement: each table's rows one multi-row INSERT, the rest
data-modifying CTEs of it. Rows of one table keep their order (the outbox's positions
follow it); foreign keys are checked at the end of the statement, so a child row may sit
beside its parent. Elsewhere (SQLite) they run one after another, in order.

An UPDATE must not need a row inserted in the same statement (all parts of a statement
share one snapshot). An UPDATE naming by its primary key a row still waiting to be inserted
changes that row instead; any other UPDATE of a table with inserts pending sends them first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, event, insert, text, update
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.dml import Insert, Update

from huiyin_shared.db.dialect import insert_for
from huiyin_shared.db.engine import READS_ONLY

_INFO_KEY = "huiyin.pending_writes"


class ReadsOnlyError(RuntimeError):
    """A write through a session that only reads, which would commit on its own."""


_NAMED_POSTGRESQL = PGDialect(paramstyle="named")  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class _Insert:
    table: Table
    columns: tuple[str, ...]
    rows: list[Mapping[str, Any]]
    skip_conflicts: bool = False


@dataclass(frozen=True)
class _Update:
    table: Table
    where: Mapping[str, Any]
    values: Mapping[str, Any]


def defer_insert(
    session: AsyncSession,
    table: Table,
    row: Mapping[str, Any],
    *,
    skip_conflicts: bool = False,
) -> None:
    """``INSERT INTO table`` one row, sent with the session's other pending writes.

    ``skip_conflicts``: a row that would break a unique constraint is left out (``ON
    CONFLICT DO NOTHING``), for writes a redelivery or a second writer may repeat.
    """
    pending = _pending(session.sync_session)
    columns = tuple(row)
    for write in pending:
        if (
            isinstance(write, _Insert)
            and write.table is table
            and write.columns == columns
            and write.skip_conflicts == skip_conflicts
        ):
            write.rows.append(row)
            return
    pending.append(_Insert(table, columns, [row], skip_conflicts))


async def defer_update(
    session: AsyncSession,
    table: Table,
    *,
    where: Mapping[str, Any],
    values: Mapping[str, Any],
) -> None:
    """``UPDATE table SET values`` where each ``where`` column equals its value, sent with
    the session's other pending writes (after its table's pending inserts, which go first).

    Naming by its primary key a row still waiting to be inserted, it changes that row's
    values instead: one write, and the row is inserted as it ends up.
    """
    pending = _pending(session.sync_session)
    inserts = [w for w in pending if isinstance(w, _Insert) and w.table is table]
    if any(_merge(write, where, values) for write in inserts):
        return
    if inserts:
        await send_pending_writes(session)
    pending.append(_Update(table, where, values))


def _merge(write: _Insert, where: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Apply an UPDATE to the pending row it names by primary key; False if none matches.

    Only by primary key: any other condition may also match rows already stored. Never into
    an insert that skips conflicts, whose row may give way to a stored one.
    """
    key = {column.name for column in write.table.primary_key.columns}
    columns = set(write.columns)
    if (
        write.skip_conflicts
        or not key
        or not key <= set(where)
        or not set(where) <= columns
        or not set(values) <= columns
    ):
        return False
    for index, row in enumerate(write.rows):
        if all(row[name] == value for name, value in where.items()):
            write.rows[index] = {**row, **values}
            return True
    return False


async def send_pending_writes(session: AsyncSession) -> None:
    """Send the session's pending writes now (a commit does this first)."""
    if session.sync_session.info.get(_INFO_KEY):
        await session.run_sync(_send)


def discard_pending_writes(session: AsyncSession) -> None:
    """Forget the pending writes (a rollback)."""
    session.sync_session.info.get(_INFO_KEY, []).clear()


def _pending(session: Session) -> list[_Insert | _Update]:
    if session.info.get(READS_ONLY):
        raise ReadsOnlyError("this unit of work only reads")
    pending: list[_Insert | _Update] = session.info.setdefault(_INFO_KEY, [])
    return pending


def _send(session: Session) -> None:
    pending = _pending(session)
    if not pending:
        return
    taken = list(pending)
    pending.clear()
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        for write in taken:
            session.execute(*_single(write, dialect))
        return
    params: dict[str, Any] = {}
    for index, write in enumerate(taken):
        if isinstance(write, _Insert):
            for number, row in enumerate(write.rows):
                params.update({f"w{index}_{number}_{c}": row[c] for c in write.columns})
        else:
            params.update({f"w{index}_k_{c}": v for c, v in write.where.items()})
            params.update({f"w{index}_v_{c}": v for c, v in write.values.items()})
    session.execute(_combined(tuple(_shape(w) for w in taken)), params)


@event.listens_for(Session, "do_orm_execute")
def _send_before_any_statement(state: ORMExecuteState) -> None:
    if state.session.info.get(READS_ONLY):
        if state.is_insert or state.is_update or state.is_delete:
            raise ReadsOnlyError("this unit of work only reads")
        return
    # The autoflush of pending writes: whatever runs next may read what they write.
    _send(state.session)


_Shape = tuple[Table, str, tuple[str, ...], tuple[str, ...], int]


def _shape(write: _Insert | _Update) -> _Shape:
    if isinstance(write, _Insert):
        kind = "insert-skipping-conflicts" if write.skip_conflicts else "insert"
        return (write.table, kind, write.columns, (), len(write.rows))
    return (write.table, "update", tuple(write.values), tuple(write.where), 1)


@lru_cache(maxsize=256)
def _combined(shapes: tuple[_Shape, ...]) -> TextClause:
    """One statement for writes of these shapes, built and compiled once; the values travel
    as parameters. Kept as text because SQLAlchemy does not cache a multi-row INSERT's
    compiled form, and compiling it again on every call costs more than the round trips."""
    parts = [_part(index, shape) for index, shape in enumerate(shapes)]
    main = next((p for p in reversed(parts) if isinstance(p, Insert)), parts[-1])
    others = [part.cte(f"w{index}") for index, part in enumerate(parts) if part is not main]
    statement = main.add_cte(*others) if others else main
    compiled = statement.compile(dialect=_NAMED_POSTGRESQL)
    # Casts such as ``:x::JSON`` stay casts: text() would read ``::`` as a bind's colon.
    return text(str(compiled).replace("::", r"\:\:")).bindparams(
        *(bindparam(name, type_=bind.type) for name, bind in compiled.binds.items())
    )


def _part(index: int, shape: _Shape) -> Insert | Update:
    table, kind, columns, keys, count = shape
    if kind != "update":
        rows = [
            {c: bindparam(f"w{index}_{n}_{c}", type_=table.c[c].type) for c in columns}
            for n in range(count)
        ]
        if kind == "insert":
            return insert(table).values(rows)
        return insert_for(table, "postgresql").values(rows).on_conflict_do_nothing()
    return (
        update(table)
        .where(*(table.c[k] == bindparam(f"w{index}_k_{k}", type_=table.c[k].type) for k in keys))
        .values({c: bindparam(f"w{index}_v_{c}", type_=table.c[c].type) for c in columns})
    )


def _single(write: _Insert | _Update, dialect: str) -> tuple[Insert | Update, Any]:
    if isinstance(write, _Insert):
        if write.skip_conflicts:
            return insert_for(write.table, dialect).on_conflict_do_nothing(), list(write.rows)
        return insert(write.table), list(write.rows)
    table = write.table
    statement = (
        update(table)
        .where(*(table.c[k] == value for k, value in write.where.items()))
        .values(dict(write.values))
    )
    return statement, {}
