"""Group commit: work for the same key done together, one group at a time per key.

While a group of a key is being done, what arrives for that key waits and forms the next
group. Nothing waits on purpose: alone, an item is a group of one at once; under load, the
groups grow by themselves with the time one group takes.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")

Flush = Callable[[K, Sequence[T]], Awaitable[Sequence[R | Exception]]]
"""Does one group; answers each item, in order, with its result or its error."""


class GroupCommit(Generic[K, T, R]):
    def __init__(self, flush: Flush[K, T, R], *, max_group: int) -> None:
        if max_group < 1:
            raise ValueError("max_group must be at least 1")
        self._flush = flush
        self._max_group = max_group
        self._waiting: dict[K, list[tuple[T, asyncio.Future[R]]]] = {}
        self._drains: dict[K, asyncio.Task[None]] = {}

    @property
    def waiting(self) -> int:
        """Items queued behind a group in progress."""
        return sum(len(items) for items in self._waiting.values())

    async def submit(self, key: K, item: T) -> R:
        """The item's result once its group is done. A caller cancelled before its group
        starts drops its item; after that, the group carries on without it."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append((item, future))
        if key not in self._drains:
            # A context of its own: the group is no more the first caller's than the others'.
            self._drains[key] = asyncio.create_task(
                self._drain(key), name=f"group-commit:{key}", context=contextvars.Context()
            )
        return await future

    async def aclose(self) -> None:
        """Wait for the groups in progress (callers that gave up no longer wait on them)."""
        while self._drains:
            await asyncio.gather(*self._drains.values(), return_exceptions=True)

    async def _drain(self, key: K) -> None:
        try:
            while queued := self._waiting.pop(key, None):
                live = [(item, future) for item, future in queued if not future.done()]
                group, rest = live[: self._max_group], live[self._max_group :]
                if rest:  # ahead of anything that arrives while this group is done
                    self._waiting[key] = rest
                if group:
                    await self._do(key, group)
        finally:
            del self._drains[key]

    async def _do(self, key: K, group: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            outcomes = list(await self._flush(key, [item for item, _ in group]))
            if len(outcomes) != len(group):
                raise RuntimeError(f"{len(outcomes)} answers for a group of {len(group)}")
        except Exception as exc:  # the flush answers item by item; this is its own failure
            outcomes = [exc] * len(group)
        except BaseException:
            for _, future in group:
                if not future.done():
                    future.cancel()
            raise
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
