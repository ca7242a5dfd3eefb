"""A TCP proxy on loopback that can silently swallow traffic, as a failed network does.

Blocked, it keeps every connection open and drops every byte both ways: no FIN, no RST,
nothing for a client to notice but silence (heartbeats and timeouts must find it).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from tests.e2e.harness import free_port

CHUNK = 65536


class Blackhole:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.blocked = False
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="blackhole")
        self._server: asyncio.Server | None = None

    def start(self) -> None:
        self._thread.start()
        self._started.wait(timeout=10)

    def block(self) -> None:
        self.blocked = True

    def heal(self) -> None:
        self.blocked = False

    def close(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def serve() -> None:
            self._server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
            self._started.set()

        self._loop.run_until_complete(serve())
        self._loop.run_forever()

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        pumps = [
            asyncio.ensure_future(self._pump(client_reader, upstream_writer)),
            asyncio.ensure_future(self._pump(upstream_reader, client_writer)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            # One side closed. A blackholed network does not carry the close either.
            while self.blocked:
                await asyncio.sleep(0.1)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            for writer in (client_writer, upstream_writer):
                writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                if self.blocked:
                    continue  # swallowed: the other side hears nothing
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            return
