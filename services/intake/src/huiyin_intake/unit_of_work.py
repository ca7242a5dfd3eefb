from __future__ import annotations

from huiyin_intake.repository import PetitionRepository, RegistrationCounterRepository
from huiyin_shared.db.uow import UnitOfWork


class IntakeUnitOfWork(UnitOfWork):
    petitions: PetitionRepository
    counters: RegistrationCounterRepository

    def _start(self) -> None:
        self.petitions = PetitionRepository(self.session)
        self.counters = RegistrationCounterRepository(self.session)
