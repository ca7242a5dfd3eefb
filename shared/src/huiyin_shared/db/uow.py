"""The unit of work: one transaction, committed only by the edge that opened it.

HTTP routes and message handlers open a unit of work, call use cases with it, and commit.
Use cases never commit. Leaving the block without committing rolls everything back,
events included, because events are outbox rows in the same transaction.

Writes a repository holds back (:mod:`huiyin_shared.db.writes`), outbox rows among them,
go out together before the next statement or at commit: one round trip for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.db.writes import discard_pending_writes, send_pending_writes
from huiyin_shared.messaging.outbox import OutboxWriter, notify_relay
from huiyin_shared.messaging.publisher import OutgoingMessage


class LocalRelay(Protocol):
    """The outbox relay of this process, as a unit of work sees it."""

    @property
    def running(self) -> bool: ...

    def hand_over(self, messages: Sequence[OutgoingMessage]) -> None: ...


class UnitOfWork:
    """Base unit of work; a service subclass adds its repositories in :meth:`_start`.

    A commit that wrote events hands them to the relay of this process when one runs, which
    publishes them without reading them back; otherwise it notifies relays in other
    processes (a CLI command, a process started ``--no-relay``). Notifying the others as
    well would only cost a round trip per transaction and make them contend for the rows.
    """

    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        outbox: OutboxWriter,
        *,
        relay: LocalRelay | None = None,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._relay = relay
        # Each event written in this transaction: its envelope and the message it becomes.
        self._events: list[tuple[Envelope, OutgoingMessage]] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._events = []
        self._start()
        return self

    def _start(self) -> None:
        """Hook for subclasses: build repositories on ``self.session``."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            discard_pending_writes(self.session)
            await self.session.rollback()
        finally:
            await self.session.close()

    async def publish(self, data: EventData, *, subject: str) -> Envelope:
        """Record an event to be sent once this unit of work commits."""
        envelope, message = await self._outbox.add(self.session, data, subject=subject)
        self._events.append((envelope, message))
        return envelope

    @property
    def published(self) -> tuple[Envelope, ...]:
        return tuple(envelope for envelope, _ in self._events)

    async def commit(self) -> None:
        relay = self._relay if self._relay is not None and self._relay.running else None
        if self._events and relay is None:
            await notify_relay(self.session)  # sends the pending writes first
        else:
            await send_pending_writes(self.session)
        await self.session.commit()
        if self._events and relay is not None:
            relay.hand_over([message for _, message in self._events])
        self._events = []

    async def rollback(self) -> None:
        discard_pending_writes(self.session)
        await self.session.rollback()
        self._events = []
