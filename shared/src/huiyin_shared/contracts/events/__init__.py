"""The event catalogue: importing this package registers every contract.

``PRODUCERS`` and ``CONSUMERS`` say which service publishes and which binds a queue to
each event type; the AsyncAPI document and the services' queue bindings are derived from
them, so the table in the architecture notes has one executable source.
"""

from __future__ import annotations

from huiyin_shared.contracts.catalogue import CATALOGUE, ContractKey, EventData
from huiyin_shared.contracts.events import accountability, case, petition, routing
from huiyin_shared.contracts.events.accountability import (
    SANCTION_SEVERITY,
    AccountabilityAppealDecided,
    AccountabilityAppealed,
    AccountabilityCaseOpened,
    AccountabilityDecided,
    AccountabilityMatterDismissed,
    AccountabilityMatterOpened,
    AccountabilityServed,
    AccountabilityStep,
    AccountabilityStepOverdue,
    AppealOutcome,
    AssessmentGrade,
    AssessmentPublished,
    DecisionOutcome,
    MatterSource,
    SanctionCode,
    Severity,
    StaffGrade,
    SubjectDecision,
    SubjectKind,
    UnitResult,
)
from huiyin_shared.contracts.events.case import (
    CaseAcceptedByUnit,
    CaseClosed,
    CaseDeadlineSet,
    CaseEscalated,
    CaseExtended,
    CaseExtensionRefused,
    CaseExtensionRequested,
    CaseFinal,
    CaseOpened,
    CaseOverdue,
    CasePaused,
    CaseReminderSent,
    CaseResultApproved,
    CaseResultSubmitted,
    CaseResumed,
    CaseReturnedForRedo,
    CaseReviewOpened,
    CaseSupervisionNoticeIssued,
    EscalationLevel,
    FinalBasis,
    PauseReason,
    ResultDefect,
    SupervisionGround,
)
from huiyin_shared.contracts.events.common import (
    CaseRole,
    Channel,
    ClockName,
    CountingMode,
    DeadlineClass,
    NotAcceptedReason,
    PersonRef,
    PetitionerRef,
    PetitionFacts,
    PetitionKind,
    ReviewTier,
    RoutingMode,
    Service,
    StaffId,
    UnitId,
    UnitRef,
)
from huiyin_shared.contracts.events.petition import (
    IdentityAccessed,
    PetitionAccepted,
    PetitionFeedbackReceived,
    PetitionNotAccepted,
    PetitionRegistered,
    PetitionRepeatLinked,
    PetitionReviewRequested,
    PetitionUrgentReported,
)
from huiyin_shared.contracts.events.routing import (
    Bounce,
    CaseReturnedByUnit,
    EscalationContacts,
    PetitionReferredOut,
    PetitionRerouted,
    PetitionRouted,
    RoutingManualDecisionRequired,
)

_MODULES = (petition, routing, case, accountability)

PRODUCERS: dict[str, tuple[Service, ...]] = {
    t: services for module in _MODULES for t, services in module.PRODUCERS.items()
}
"""Event type → the services that publish it."""

CONSUMERS: dict[str, tuple[Service, ...]] = {
    t: services for module in _MODULES for t, services in module.CONSUMERS.items()
}
"""Event type → the services that bind a queue to it."""


def domain_contracts() -> dict[ContractKey, type[EventData]]:
    """The contracts defined in this package, without test-only ones registered elsewhere."""
    return {
        key: model
        for key, model in CATALOGUE.items()
        if model.__module__.startswith(__name__ + ".")
    }


def consumed_by(service: Service) -> list[str]:
    """The event types a service binds its queue to (its routing keys), sorted."""
    return sorted(t for t, services in CONSUMERS.items() if service in services)


def produced_by(service: Service) -> list[str]:
    """The event types a service may publish, sorted."""
    return sorted(t for t, services in PRODUCERS.items() if service in services)


__all__ = [
    "CONSUMERS",
    "PRODUCERS",
    "SANCTION_SEVERITY",
    "AccountabilityAppealDecided",
    "AccountabilityAppealed",
    "AccountabilityCaseOpened",
    "AccountabilityDecided",
    "AccountabilityMatterDismissed",
    "AccountabilityMatterOpened",
    "AccountabilityServed",
    "AccountabilityStep",
    "AccountabilityStepOverdue",
    "AppealOutcome",
    "AssessmentGrade",
    "AssessmentPublished",
    "Bounce",
    "CaseAcceptedByUnit",
    "CaseClosed",
    "CaseDeadlineSet",
    "CaseEscalated",
    "CaseExtended",
    "CaseExtensionRefused",
    "CaseExtensionRequested",
    "CaseFinal",
    "CaseOpened",
    "CaseOverdue",
    "CasePaused",
    "CaseReminderSent",
    "CaseResultApproved",
    "CaseResultSubmitted",
    "CaseResumed",
    "CaseReturnedByUnit",
    "CaseReturnedForRedo",
    "CaseReviewOpened",
    "CaseRole",
    "CaseSupervisionNoticeIssued",
    "Channel",
    "ClockName",
    "CountingMode",
    "DeadlineClass",
    "DecisionOutcome",
    "EscalationContacts",
    "EscalationLevel",
    "FinalBasis",
    "IdentityAccessed",
    "MatterSource",
    "NotAcceptedReason",
    "PauseReason",
    "PersonRef",
    "PetitionAccepted",
    "PetitionFacts",
    "PetitionFeedbackReceived",
    "PetitionKind",
    "PetitionNotAccepted",
    "PetitionReferredOut",
    "PetitionRegistered",
    "PetitionRepeatLinked",
    "PetitionRerouted",
    "PetitionReviewRequested",
    "PetitionRouted",
    "PetitionUrgentReported",
    "PetitionerRef",
    "ResultDefect",
    "ReviewTier",
    "RoutingManualDecisionRequired",
    "RoutingMode",
    "SanctionCode",
    "Service",
    "Severity",
    "StaffGrade",
    "StaffId",
    "SubjectDecision",
    "SubjectKind",
    "SupervisionGround",
    "UnitId",
    "UnitRef",
    "UnitResult",
    "consumed_by",
    "domain_contracts",
    "produced_by",
]
