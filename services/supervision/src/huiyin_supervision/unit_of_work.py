from __future__ import annotations

from collections.abc import Callable

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
        self._on_commit: list[Callable[[], None]] = []

    def on_commit(self, effect: Callable[[], None]) -> None:
        """Run ``effect`` (a metric, say) only once the transaction has committed."""
        self._on_commit.append(effect)

    async def commit(self) -> None:
        await super().commit()
        effects, self._on_commit = self._on_commit, []
        for effect in effects:
            effect()

    async def rollback(self) -> None:
        await super().rollback()
        self._on_commit = []
