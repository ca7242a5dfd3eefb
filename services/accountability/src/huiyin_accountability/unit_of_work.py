from __future__ import annotations

from huiyin_accountability.repository import (
    AssessmentRepository,
    CaseRepository,
    LedgerRepository,
    MatterRepository,
    TriggerRepository,
)
from huiyin_shared.db.uow import UnitOfWork


class AccountabilityUnitOfWork(UnitOfWork):
    ledger: LedgerRepository
    triggers: TriggerRepository
    matters: MatterRepository
    cases: CaseRepository
    assessment: AssessmentRepository

    def _start(self) -> None:
        self.ledger = LedgerRepository(self.session)
        self.triggers = TriggerRepository(self.session)
        self.matters = MatterRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.assessment = AssessmentRepository(self.session)
