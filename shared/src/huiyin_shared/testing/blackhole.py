"""A TCP proxy on loopback that can fail the way networks and servers fail.

Three modes:

- ``pass``: bytes flow both ways.
- ``blackhole`` (:meth:`Blackhole.block`): every connection stays open and every byte is
  dropped both ways: no FIN, no RST, nothing for a client to notice but silence (heartbeats
  and timeouts must find it), as a failed network does.
- ``refuse`` (:meth:`Blackhole.refuse`): every open connection is closed and every new one
  is closed at once, as a stopped server does.

It runs on the event loop it is started on; call its methods from that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

CHUNK = 65536

Mode = Literal["pass", "blackhole", "refuse"]


class Blackhole:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode: Mode = "pass"
        self._healed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def block(self) -> None:
        self.mode = "blackhole"
        self._healed.clear()

    def refuse(self) -> None:
        self.mode = "refuse"
        self._healed.set()  # connections a blackhole held open go too
        self._close_connections()

    def heal(self) -> None:
        self.mode = "pass"
        self._healed.set()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._healed.set()
        self._close_connections()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    def _close_connections(self) -> None:
        # Closed sockets end every pump, so each handler finishes by itself; cancelled, it
        # would be reported as an error by asyncio's stream server.
        for writer in list(self._writers):
            writer.close()

    async def _accept(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        if self.mode == "refuse":
            client_writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._serve(client_reader, client_writer)
        finally:
            self._handlers.discard(task)

    async def _serve(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        writers = [client_writer]
        self._writers.add(client_writer)
        pumps: list[asyncio.Task[None]] = []
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            writers.append(upstream_writer)
            self._writers.add(upstream_writer)
            pumps += [
                asyncio.create_task(self._pump(client_reader, upstream_writer)),
                asyncio.create_task(self._pump(upstream_reader, client_writer)),
            ]
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            # One side closed. A blackholed network does not carry the close either.
            if self.mode == "blackhole":
                await self._healed.wait()
        except OSError:
            return  # the target is unreachable: the client's connection is closed
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            for writer in writers:
                self._writers.discard(writer)
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(CHUNK):
                if self.mode == "blackhole":
                    continue  # swallowed: the other side hears nothing
                writer.write(data)
                await writer.drain()
