"""Dependencies the routers share: the unit of work, the caller, the clock."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends

from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.http.auth import Staff, StaffRole, require_roles

Officer = Annotated[Staff, Depends(require_roles(StaffRole.DISCIPLINE_OFFICER))]
"""Runs accountability matters and cases (纪检监察)."""

Approver = Annotated[Staff, Depends(require_roles(StaffRole.LEADER))]
"""Approves an extension of the investigation."""

Reader = Annotated[
    Staff,
    Depends(require_roles(StaffRole.DISCIPLINE_OFFICER, StaffRole.LEADER, StaffRole.SUPERVISOR)),
]
"""May read matters, cases, the record and the assessment."""


def uow_dependency(
    factory: Callable[[], AccountabilityUnitOfWork],
) -> Callable[[], AsyncIterator[AccountabilityUnitOfWork]]:
    async def unit_of_work() -> AsyncIterator[AccountabilityUnitOfWork]:
        async with factory() as uow:
            yield uow

    return unit_of_work
