"""List and replay dead-lettered messages.

    huiyin-dlq list   huiyin.intake.tracking
    huiyin-dlq replay huiyin.intake.tracking [--event-id ID ...] [--limit N]

A replayed message goes back to the queue it died in (through the default exchange, not the
events exchange, so other consumers are not sent it again), with its original body and
properties; it is removed from the DLQ only after the broker confirmed the republish.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika import DeliveryMode, Message
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from huiyin_shared.messaging.topology import dead_letter_queue_name


@dataclass(frozen=True)
class DeadLetter:
    event_id: str | None
    event_type: str | None
    reason: str | None
    deaths: int
    first_death_at: str | None
    body_preview: str


def describe(message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    deaths = [d for d in _as_list(headers.get("x-death")) if isinstance(d, dict)]
    first_time = deaths[0].get("time") if deaths else None
    return DeadLetter(
        event_id=message.message_id,
        event_type=message.type,
        reason=_text(headers.get("x-first-death-reason")),
        deaths=sum(c if isinstance(c := d.get("count"), int) else 1 for d in deaths),
        first_death_at=first_time.isoformat() if isinstance(first_time, datetime) else None,
        body_preview=message.body[:300].decode(errors="replace"),
    )


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


async def _take_all(channel: AbstractChannel, queue: str) -> list[AbstractIncomingMessage]:
    """Get every message currently in the DLQ without acknowledging it.

    Unacknowledged messages go back to the queue, in order, when the channel closes.
    """
    dlq = await channel.declare_queue(dead_letter_queue_name(queue), passive=True)
    count = dlq.declaration_result.message_count or 0
    taken: list[AbstractIncomingMessage] = []
    for _ in range(count):
        message = await dlq.get(no_ack=False, fail=False, timeout=5)
        if message is None:
            break
        taken.append(message)
    return taken


async def list_dead_letters(amqp_url: str, queue: str) -> list[DeadLetter]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        return [describe(message) for message in await _take_all(channel, queue)]


async def replay(
    amqp_url: str, queue: str, *, event_ids: set[str] | None = None, limit: int | None = None
) -> int:
    """Republish dead letters to ``queue``; returns how many were replayed."""
    connection = await aio_pika.connect(amqp_url)
    replayed = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        for message in await _take_all(channel, queue):
            if limit is not None and replayed >= limit:
                break
            if event_ids is not None and message.message_id not in event_ids:
                continue
            async with asyncio.timeout(10):
                await channel.default_exchange.publish(
                    _fresh_copy(message), routing_key=queue, mandatory=True
                )
            await message.ack()
            replayed += 1
    return replayed


def _fresh_copy(message: AbstractIncomingMessage) -> Message:
    headers = {
        key: value
        for key, value in (message.headers or {}).items()
        if not key.startswith("x-death")
        and not key.startswith("x-first-death")
        and not key.startswith("x-last-death")
        and key != "x-delivery-count"
    }
    return Message(
        message.body,
        headers=headers,
        delivery_mode=DeliveryMode.PERSISTENT,
        content_type=message.content_type,
        message_id=message.message_id,
        type=message.type,
        correlation_id=message.correlation_id,
        timestamp=message.timestamp,
        app_id=message.app_id,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="huiyin-dlq", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--amqp-url",
        default=os.environ.get("HUIYIN_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        help="broker URL (default: $HUIYIN_AMQP_URL or the local broker)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("list", help="show the dead letters of a consumer queue")
    show.add_argument("queue", help="the consumer queue, e.g. huiyin.intake.tracking")
    again = commands.add_parser("replay", help="send dead letters back to their queue")
    again.add_argument("queue")
    again.add_argument("--event-id", action="append", dest="event_ids")
    again.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    if args.command == "list":
        letters = asyncio.run(list_dead_letters(args.amqp_url, args.queue))
        json.dump([asdict(letter) for letter in letters], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    ids = set(args.event_ids) if args.event_ids else None
    count = asyncio.run(replay(args.amqp_url, args.queue, event_ids=ids, limit=args.limit))
    print(f"replayed {count} message(s) to {args.queue}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
