from __future__ import annotations

from huiyin_shared.db.uow import UnitOfWork
from huiyin_supervision.case_repository import CaseRepository
from huiyin_supervision.repository import ClockRepository


class SupervisionUnitOfWork(UnitOfWork):
    clocks: ClockRepository
    cases: CaseRepository

    def _start(self) -> None:
        self.clocks = ClockRepository(self.session)
        self.cases = CaseRepository(self.session)
