"""One supervised connection to RabbitMQ that comes back, with everything on it.

aio-pika's robust connection has known gaps in restoring consumers (aio-pika #231, #594),
so this supervisor uses plain connections: connect (retrying while the broker is down),
run every registered ``on_connect`` callback to declare topology and start consumers, wait
for the connection to close, and start over. Callbacks therefore always run against a
fresh connection and keep no state from the dead one.

A silently dropped connection (packets swallowed, no FIN or RST) is the hard case: aiormq
only gives up after three heartbeat intervals without a frame, and closing such a
connection gracefully waits on a peer that will never answer. So whoever sees the
connection fail (a publish never confirmed) calls :meth:`Broker.connection_failed`: the
supervisor aborts the socket, forgets the connection at once (readiness goes false) and
reconnects with its usual back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractConnection
from aiormq.connection import TCPTransportFactory, TLSTransportFactory, TransportFactory
from yarl import URL

from huiyin_shared.logging import describe_error

log = structlog.get_logger(__name__)

OnConnect = Callable[[AbstractConnection], Awaitable[None]]


class BrokerUnavailableError(ConnectionError):
    """No live broker connection right now; the caller retries later."""


# A graceful close of a dead connection may wait on the peer; past this it is abandoned.
CLOSE_TIMEOUT_SECONDS = 5.0


class _StreamKeepingFactory(TransportFactory):
    """aiormq's own transport factory, keeping the stream so the socket can be aborted."""

    def __init__(self, url: URL) -> None:
        self._inner = TLSTransportFactory() if url.scheme == "amqps" else TCPTransportFactory()
        self.writer: asyncio.StreamWriter | None = None

    async def create(
        self, url: URL, **kwargs: Any
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await self._inner.create(url, **kwargs)
        self.writer = writer
        return reader, writer


class _AbortableConnection(aio_pika.Connection):
    """A plain aio-pika connection whose socket can be torn down without a handshake."""

    def __init__(self, url: URL, *args: Any, **kwargs: Any) -> None:
        super().__init__(url, *args, **kwargs)
        self._streams = _StreamKeepingFactory(self.url)
        # aio-pika passes its keyword arguments through to aiormq's Connection.
        self.kwargs["transport_factory"] = self._streams

    def abort(self) -> None:
        """Drop the socket: aiormq's reader sees it end and closes the connection."""
        writer = self._streams.writer
        if writer is not None:
            writer.transport.abort()


class Broker:
    def __init__(
        self,
        url: str,
        *,
        connection_name: str,
        retry_max_seconds: float = 10.0,
        heartbeat_seconds: int = 10,
    ) -> None:
        self._url = url
        self._name = connection_name
        self._retry_max = retry_max_seconds
        self._heartbeat = heartbeat_seconds
        self._on_connect: list[OnConnect] = []
        self._on_ready: list[Callable[[], None]] = []
        self._connection: AbstractConnection | None = None
        self._closed: asyncio.Event | None = None
        self._connected = asyncio.Event()
        self._stopping = False
        self.connections_made = 0

    def on_connect(self, callback: OnConnect) -> None:
        """Run ``callback`` on every (re)connection, in registration order."""
        self._on_connect.append(callback)

    def on_ready(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once every ``on_connect`` callback of a connection has run."""
        self._on_ready.append(callback)

    @property
    def connection(self) -> AbstractConnection:
        if self._connection is None or self._connection.is_closed:
            raise BrokerUnavailableError("not connected to the broker")
        return self._connection

    @property
    def is_connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def wait_connected(self, timeout: float | None = None) -> None:
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    def connection_failed(self, connection: AbstractConnection, reason: str) -> None:
        """Declare ``connection`` dead: abort it and reconnect (no-op if already replaced)."""
        if connection is not self._connection or self._closed is None:
            return
        log.warning("broker.connection_declared_dead", connection=self._name, reason=reason)
        self._connected.clear()
        self._connection = None
        if isinstance(connection, _AbortableConnection):
            connection.abort()
        self._closed.set()

    async def check(self) -> None:
        """Readiness check: raises unless the connection is up."""
        self.connection  # noqa: B018  (raises when down)

    async def run(self) -> None:
        """Keep a connection up until cancelled."""
        delay = 0.2
        while not self._stopping:
            closed = asyncio.Event()
            try:
                connection = await aio_pika.connect(
                    self._url,
                    timeout=10,
                    client_properties={"connection_name": self._name},
                    heartbeat=self._heartbeat,
                    connection_class=_AbortableConnection,
                )
            except (OSError, TimeoutError, aio_pika.exceptions.AMQPError) as exc:
                log.warning("broker.connect_failed", error=describe_error(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            connection.close_callbacks.add(lambda *_, closed=closed: closed.set())
            try:
                for callback in self._on_connect:
                    await callback(connection)
            except Exception as exc:
                log.warning("broker.setup_failed", error=describe_error(exc), retry_in=delay)
                await _close_quietly(connection)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            self._connection = connection
            self._closed = closed
            self.connections_made += 1
            self._connected.set()
            for ready in self._on_ready:
                ready()
            delay = 0.2
            log.info("broker.connected", connection=self._name)
            try:
                await closed.wait()
            finally:
                self._connected.clear()
                self._connection = None
                self._closed = None
                await _close_quietly(connection)
            if not self._stopping:
                log.warning("broker.connection_lost", connection=self._name)

    async def close(self) -> None:
        self._stopping = True
        if self._connection is not None:
            await _close_quietly(self._connection)


async def _close_quietly(connection: AbstractConnection) -> None:
    # Bounded: a close on a dead peer would wait for a Close-Ok that never comes.
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
            await connection.close()
    if isinstance(connection, _AbortableConnection) and not connection.is_closed:
        connection.abort()
