"""Group commit: who goes together, in what order, and what each caller gets back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from huiyin_intake.service.grouping import GroupCommit


class Recorder:
    """A flush that records its groups and holds each one until released."""

    def __init__(self) -> None:
        self.groups: list[tuple[str, list[int]]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def flush(self, key: str, items: Sequence[int]) -> list[int | Exception]:
        self.groups.append((key, list(items)))
        self.started.set()
        await self.release.wait()
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(2):
        while not condition():
            await asyncio.sleep(0)


async def test_a_lone_item_is_a_group_of_one_at_once() -> None:
    recorder = Recorder()
    recorder.release.set()
    groups = GroupCommit(recorder.flush, max_group=8)
    assert await groups.submit("office-a", 4) == 40
    assert recorder.groups == [("office-a", [4])]


async def test_what_arrives_during_a_group_forms_the_next_in_order() -> None:
    recorder = Recorder()
    groups = GroupCommit(recorder.flush, max_group=8)
    first = asyncio.create_task(groups.submit("office-a", 0))
    await recorder.started.wait()
    rest = [asyncio.create_task(groups.submit("office-a", i)) for i in (2, 4, 6)]
    await until(lambda: groups.waiting == 3)
    recorder.release.set()
    assert await asyncio.gather(first, *rest) == [0, 20, 40, 60]
    assert recorder.groups == [("office-a", [0]), ("office-a", [2, 4, 6])]
    assert groups.waiting == 0


async def test_groups_are_at_most_max_group_and_keys_do_not_wait_for_each_other() -> None:
    recorder = Recorder()
    groups = GroupCommit(recorder.flush, max_group=2)
    first = asyncio.create_task(groups.submit("office-a", 0))
    await recorder.started.wait()
    queued = [asyncio.create_task(groups.submit("office-a", i)) for i in (2, 4, 6, 8, 10)]
    other = asyncio.create_task(groups.submit("office-b", 12))
    await until(lambda: ("office-b", [12]) in recorder.groups)
    recorder.release.set()
    await asyncio.gather(first, *queued, other)
    assert [items for key, items in recorder.groups if key == "office-a"] == [
        [0],
        [2, 4],
        [6, 8],
        [10],
    ]


async def test_each_caller_gets_its_own_error() -> None:
    recorder = Recorder()
    recorder.release.set()
    groups = GroupCommit(recorder.flush, max_group=8)
    results = await asyncio.gather(
        *(groups.submit("office-a", i) for i in (1, 2)), return_exceptions=True
    )
    assert isinstance(results[0], ValueError)
    assert str(results[0]) == "odd 1"
    assert results[1] == 20


async def test_a_failed_flush_fails_every_item_of_its_group_and_not_the_next() -> None:
    calls = 0

    async def flush(key: str, items: Sequence[int]) -> list[int | Exception]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database gone")
        return list(items)

    groups = GroupCommit(flush, max_group=8)
    with pytest.raises(ConnectionError):
        await groups.submit("office-a", 1)
    assert await groups.submit("office-a", 2) == 2


async def test_a_caller_that_gives_up_before_its_group_drops_its_item() -> None:
    recorder = Recorder()
    groups = GroupCommit(recorder.flush, max_group=8)
    first = asyncio.create_task(groups.submit("office-a", 0))
    await recorder.started.wait()
    abandoned = asyncio.create_task(groups.submit("office-a", 2))
    kept = asyncio.create_task(groups.submit("office-a", 4))
    await until(lambda: groups.waiting == 2)
    abandoned.cancel()
    recorder.release.set()
    assert await asyncio.gather(first, kept) == [0, 40]
    assert recorder.groups == [("office-a", [0]), ("office-a", [4])]


async def test_aclose_waits_for_a_group_whose_caller_gave_up() -> None:
    recorder = Recorder()
    groups = GroupCommit(recorder.flush, max_group=8)
    caller = asyncio.create_task(groups.submit("office-a", 2))
    await recorder.started.wait()
    caller.cancel()
    closing = asyncio.create_task(groups.aclose())
    await asyncio.sleep(0.01)
    assert not closing.done()
    recorder.release.set()
    await closing
    assert recorder.groups == [("office-a", [2])]
