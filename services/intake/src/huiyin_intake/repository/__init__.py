"""Every query of the intake service, one module per aggregate."""

from huiyin_intake.repository.identities import IdentityReadRepository, IdentityRepository
from huiyin_intake.repository.petitions import (
    PetitionFilter,
    PetitionRepository,
    RegistrationCounterRepository,
)
from huiyin_intake.repository.portal import (
    IdempotencyRepository,
    PortalKeyRepository,
    RateLimitRepository,
)
from huiyin_intake.repository.tracking import TimelineRepository

__all__ = [
    "IdempotencyRepository",
    "IdentityReadRepository",
    "IdentityRepository",
    "PetitionFilter",
    "PetitionRepository",
    "PortalKeyRepository",
    "RateLimitRepository",
    "RegistrationCounterRepository",
    "TimelineRepository",
]
