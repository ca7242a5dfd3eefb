"""Every query of the accountability service, one module per aggregate."""

from huiyin_accountability.repository.assessment import AssessmentRepository
from huiyin_accountability.repository.cases import CaseRepository
from huiyin_accountability.repository.ledger import LedgerRepository
from huiyin_accountability.repository.matters import MatterRepository
from huiyin_accountability.repository.triggers import TriggerRepository

__all__ = [
    "AssessmentRepository",
    "CaseRepository",
    "LedgerRepository",
    "MatterRepository",
    "TriggerRepository",
]
