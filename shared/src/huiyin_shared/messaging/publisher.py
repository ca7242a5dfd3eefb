"""Publishing with publisher confirms, persistent messages and mandatory routing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from aio_pika import DeliveryMode, Message
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from huiyin_shared.messaging.broker import Broker, BrokerUnavailableError
from huiyin_shared.messaging.topology import declare_events_exchange


@dataclass(frozen=True)
class OutgoingMessage:
    event_id: str
    event_type: str
    routing_key: str
    body: bytes
    correlation_id: str | None
    created_at: datetime


class EventPublisher:
    """Publishes on a confirm channel that is reopened with every broker connection."""

    def __init__(self, broker: Broker, *, exchange: str, producer: str, timeout: float) -> None:
        self._exchange_name = exchange
        self._producer = producer
        self._timeout = timeout
        self._channel: AbstractChannel | None = None
        self._connection: AbstractConnection | None = None
        self._exchange: AbstractExchange | None = None
        self._broker = broker
        broker.on_connect(self._on_connect)

    async def _on_connect(self, connection: AbstractConnection) -> None:
        # on_return_raises: an unroutable mandatory message fails the publish instead of
        # vanishing (aio-pika's default is to log and drop it).
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await declare_events_exchange(channel, self._exchange_name)
        self._channel = channel
        self._connection = connection

    @property
    def ready(self) -> bool:
        """True once the whole topology of the connection is declared, consumers' included.

        Publishing earlier could route an event before this process's own queues are bound.
        """
        return (
            self._broker.is_connected and self._channel is not None and not self._channel.is_closed
        )

    async def publish(self, message: OutgoingMessage) -> None:
        """Return once the broker has confirmed the message; raise otherwise."""
        exchange, connection = self._exchange, self._connection
        if exchange is None or connection is None or not self.ready:
            raise BrokerUnavailableError("no open publishing channel")
        amqp_message = Message(
            message.body,
            delivery_mode=DeliveryMode.PERSISTENT,
            content_type="application/json",
            message_id=message.event_id,
            type=message.event_type,
            correlation_id=message.correlation_id,
            timestamp=message.created_at,
            app_id=self._producer,
        )
        # A publish on a silently dropped connection can hang for good (aio-pika #636), and
        # aiormq notices the silence only after three heartbeat intervals (longer still if
        # the link heals meanwhile with frames lost). A broker that has not confirmed within
        # the timeout, which is longer than the heartbeat interval, is not answering: the
        # connection is declared dead so the supervisor reconnects instead of every later
        # publish timing out on it too.
        try:
            async with asyncio.timeout(self._timeout):
                await exchange.publish(
                    amqp_message, routing_key=message.routing_key, mandatory=True
                )
        except TimeoutError:
            self._broker.connection_failed(connection, "publish not confirmed in time")
            raise
