from __future__ import annotations

from huiyin_intake.repository import (
    IdempotencyRepository,
    IdentityReadRepository,
    IdentityRepository,
    PetitionRepository,
    PortalKeyRepository,
    RateLimitRepository,
    RegistrationCounterRepository,
    TimelineRepository,
)
from huiyin_shared.db.uow import UnitOfWork


class IntakeUnitOfWork(UnitOfWork):
    petitions: PetitionRepository
    counters: RegistrationCounterRepository
    identities: IdentityRepository
    identity_reads: IdentityReadRepository
    portal_keys: PortalKeyRepository
    idempotency: IdempotencyRepository
    rate_limits: RateLimitRepository
    timeline: TimelineRepository

    def _start(self) -> None:
        self.petitions = PetitionRepository(self.session)
        self.counters = RegistrationCounterRepository(self.session)
        self.identities = IdentityRepository(self.session)
        self.identity_reads = IdentityReadRepository(self.session)
        self.portal_keys = PortalKeyRepository(self.session)
        self.idempotency = IdempotencyRepository(self.session)
        self.rate_limits = RateLimitRepository(self.session)
        self.timeline = TimelineRepository(self.session)
