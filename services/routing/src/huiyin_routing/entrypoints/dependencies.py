"""What every routing route needs: a unit of work per request, the caller, the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime

from fastapi import Request

from huiyin_routing.unit_of_work import RoutingUnitOfWork


def unit_of_work_dependency(
    uow_factory: Callable[[], RoutingUnitOfWork],
) -> Callable[[], AsyncIterator[RoutingUnitOfWork]]:
    async def unit_of_work() -> AsyncIterator[RoutingUnitOfWork]:
        async with uow_factory() as uow:
            yield uow

    return unit_of_work


def now(request: Request) -> datetime:
    """The app's clock (controllable in tests and demos)."""
    moment: datetime = request.app.state.clock.now()
    return moment
