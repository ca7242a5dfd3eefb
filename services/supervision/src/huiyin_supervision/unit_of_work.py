from __future__ import annotations

from huiyin_shared.db.uow import UnitOfWork
from huiyin_supervision.repository import ClockRepository


class SupervisionUnitOfWork(UnitOfWork):
    clocks: ClockRepository

    def _start(self) -> None:
        self.clocks = ClockRepository(self.session)
