"""Exchanges and queues: declared identically by every process, so order of start-up is free.

- ``<events>``: durable topic exchange; routing key = event type. Its alternate exchange
  catches events nobody is bound to yet, so a mandatory publish never loses them.
- per consumer: a durable quorum queue with a delivery limit, dead-lettering at-least-once
  through ``<events>.dlx`` into ``<queue>.dlq``.
"""

from __future__ import annotations

from collections.abc import Iterable

from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue


def dead_letter_exchange_name(events_exchange: str) -> str:
    return f"{events_exchange}.dlx"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def unrouted_queue_name(events_exchange: str) -> str:
    return f"{events_exchange}.unrouted"


async def declare_events_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    unrouted = await channel.declare_exchange(
        unrouted_queue_name(name), ExchangeType.FANOUT, durable=True
    )
    parking = await channel.declare_queue(
        unrouted_queue_name(name), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await parking.bind(unrouted)
    return await channel.declare_exchange(
        name,
        ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": unrouted_queue_name(name)},
    )


async def declare_consumer_queue(
    channel: AbstractChannel,
    *,
    events: AbstractExchange,
    queue: str,
    bindings: Iterable[str],
    delivery_limit: int,
) -> tuple[AbstractQueue, AbstractQueue]:
    """The consumer's queue and its dead-letter queue, bound to ``bindings``."""
    dlx = await channel.declare_exchange(
        dead_letter_exchange_name(events.name), ExchangeType.DIRECT, durable=True
    )
    dlq = await channel.declare_queue(
        dead_letter_queue_name(queue), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind(dlx, routing_key=queue)
    main = await channel.declare_queue(
        queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": dlx.name,
            "x-dead-letter-routing-key": queue,
            # at-least-once dead-lettering needs reject-publish overflow; it guarantees a
            # message leaves for the DLQ only once the DLQ has confirmed it.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )
    for routing_key in bindings:
        await main.bind(events, routing_key=routing_key)
    return main, dlq
