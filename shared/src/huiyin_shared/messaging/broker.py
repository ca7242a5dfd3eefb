"""One supervised connection to RabbitMQ that comes back, with everything on it.

aio-pika's robust connection has known gaps in restoring consumers (aio-pika #231, #594),
so this supervisor uses plain connections: connect (retrying while the broker is down),
run every registered ``on_connect`` callback to declare topology and start consumers, wait
for the connection to close, and start over. Callbacks therefore always run against a
fresh connection and keep no state from the dead one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import aio_pika
import structlog
from aio_pika.abc import AbstractConnection

log = structlog.get_logger(__name__)

OnConnect = Callable[[AbstractConnection], Awaitable[None]]


class BrokerUnavailableError(ConnectionError):
    """No live broker connection right now; the caller retries later."""


class Broker:
    def __init__(
        self,
        url: str,
        *,
        connection_name: str,
        retry_max_seconds: float = 10.0,
        heartbeat_seconds: int = 15,
    ) -> None:
        self._url = url
        self._name = connection_name
        self._retry_max = retry_max_seconds
        self._heartbeat = heartbeat_seconds
        self._on_connect: list[OnConnect] = []
        self._on_ready: list[Callable[[], None]] = []
        self._connection: AbstractConnection | None = None
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
        await asyncio.wait_for(self._connected.wait(), timeout)

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
                )
            except (OSError, TimeoutError, aio_pika.exceptions.AMQPError) as exc:
                log.warning("broker.connect_failed", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            connection.close_callbacks.add(lambda *_, closed=closed: closed.set())
            try:
                for callback in self._on_connect:
                    await callback(connection)
            except Exception as exc:
                log.warning("broker.setup_failed", error=str(exc), retry_in=delay)
                await _close_quietly(connection)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            self._connection = connection
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
                await _close_quietly(connection)
            if not self._stopping:
                log.warning("broker.connection_lost", connection=self._name)

    async def close(self) -> None:
        self._stopping = True
        if self._connection is not None:
            await _close_quietly(self._connection)


async def _close_quietly(connection: AbstractConnection) -> None:
    with contextlib.suppress(Exception):
        await connection.close()
