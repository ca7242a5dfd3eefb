from __future__ import annotations

from huiyin_shared.db.uow import UnitOfWork
from huiyin_supervision.case_repository import CaseRepository
from huiyin_supervision.repository import ClockRepository
from huiyin_supervision.screening_repository import ScreeningRepository


class SupervisionUnitOfWork(UnitOfWork):
    clocks: ClockRepository
    cases: CaseRepository
    screening: ScreeningRepository

    def _start(self) -> None:
        self.clocks = ClockRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.screening = ScreeningRepository(self.session)
