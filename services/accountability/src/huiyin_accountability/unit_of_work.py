from __future__ import annotations

from huiyin_accountability.repository import LedgerRepository
from huiyin_shared.db.uow import UnitOfWork


class AccountabilityUnitOfWork(UnitOfWork):
    ledger: LedgerRepository

    def _start(self) -> None:
        self.ledger = LedgerRepository(self.session)
