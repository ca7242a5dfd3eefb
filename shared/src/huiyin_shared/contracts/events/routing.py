"""Routing's events: where a petition goes, and why; plus the returns that bounce it back.

Every routing decision is a power-operation record, so each carries its reasons and who
decided (absent when the rules decided on their own).
"""

from __future__ import annotations

import uuid
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from huiyin_shared.contracts.catalogue import EventData, event
from huiyin_shared.contracts.events.common import (
    ContractModel,
    DeadlineClass,
    PetitionFacts,
    RoutingMode,
    Service,
    ShortText,
    StaffId,
    UnitRef,
)


class EscalationContacts(ContractModel):
    """The ladder above the lead unit, as the registry knew it when routing.

    Carried so supervision can escalate (handler → unit head → leader in charge → leader
    ownership → superior body) and open reviews without asking routing.
    """

    unit_head_id: StaffId | None = Field(default=None, description="Head of the lead unit.")
    leader_in_charge_id: StaffId | None = Field(
        default=None, description="The deputy in charge of the matter's area at that level."
    )
    top_leader_id: StaffId | None = Field(default=None, description="The level's top leader.")
    superior_unit: UnitRef | None = Field(
        default=None,
        description="The body above the lead unit: receives escalations, conducts reviews.",
    )


class _RoutingDecision(EventData):
    """Fields shared by a first routing and a re-routing (not itself a contract)."""

    petition_id: uuid.UUID
    decision_id: uuid.UUID
    mode: RoutingMode = Field(description="Never refer_out here: see petition.referred_out.")
    lead_unit: UnitRef
    participating_units: list[UnitRef] = Field(default_factory=list, max_length=20)
    deadline_class: DeadlineClass
    routed_at: AwareDatetime
    decided_by: StaffId | None = Field(
        default=None, description="The leader or clerk who decided; absent when automatic."
    )
    reasons: list[ShortText] = Field(
        min_length=1,
        max_length=20,
        description="Why: rules applied, competence found, exclusions and recusals.",
    )
    petition: PetitionFacts
    escalation: EscalationContacts | None = Field(
        default=None,
        description="Who supervision escalates to for the lead unit, from the registry.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.mode is RoutingMode.REFER_OUT:
            raise ValueError("referring out is petition.referred_out, not a routing to a unit")
        if (self.mode is RoutingMode.TRANSFER) != (
            self.deadline_class is DeadlineClass.NO_RESULT_REPORT
        ):
            raise ValueError("exactly the transfer mode owes no result report")
        unit_ids = [self.lead_unit.unit_id, *(u.unit_id for u in self.participating_units)]
        if len(set(unit_ids)) != len(unit_ids):
            raise ValueError("a unit appears twice among the lead and participating units")
        if set(unit_ids) & set(self.petition.accused_unit_ids):
            raise ValueError("a petition is never routed to an accused unit")
        return self


@event("petition.routed", 1)
class PetitionRouted(_RoutingDecision):
    """A petition was sent to a lead unit (and participants) for the first time."""


@event("petition.rerouted", 1)
class PetitionRerouted(_RoutingDecision):
    """A petition returned by a unit was routed again; the bounce count is kept."""

    previous_unit: UnitRef = Field(description="The unit that returned it.")
    bounce_count: int = Field(ge=1, description="Returns so far for this petition.")


@event("petition.referred_out", 1)
class PetitionReferredOut(EventData):
    """Not this office's matter: the petitioner is told which authority is competent."""

    petition_id: uuid.UUID
    decision_id: uuid.UUID
    authority: ShortText = Field(description="The competent authority the petitioner is told.")
    reason: ShortText
    referred_at: AwareDatetime
    decided_by: StaffId | None = None


class Bounce(ContractModel):
    """One return in the chain of a bounced petition."""

    unit: UnitRef
    reason: ShortText
    returned_at: AwareDatetime


@event("routing.manual_decision_required", 1)
class RoutingManualDecisionRequired(EventData):
    """Past the bounce threshold a leader must decide (passing cases around is a violation)."""

    petition_id: uuid.UUID
    bounce_chain: list[Bounce] = Field(min_length=1, max_length=100)
    leader_id: StaffId = Field(description="The leader who now owns the routing decision.")
    raised_at: AwareDatetime


@event("case.returned_by_unit", 1)
class CaseReturnedByUnit(EventData):
    """A handling unit declared itself not competent and returned the case for re-routing."""

    case_id: uuid.UUID
    petition_id: uuid.UUID
    unit: UnitRef
    reason: ShortText
    returned_at: AwareDatetime
    returned_by: StaffId


PRODUCERS: dict[str, tuple[Service, ...]] = {
    "petition.routed": (Service.ROUTING,),
    "petition.rerouted": (Service.ROUTING,),
    "petition.referred_out": (Service.ROUTING, Service.INTAKE),
    "routing.manual_decision_required": (Service.ROUTING,),
    "case.returned_by_unit": (Service.SUPERVISION,),
}
"""Who publishes each of this module's types (returns come from supervision's units; intake
refers out at acceptance when the matter is plainly outside the office's authority)."""

CONSUMERS: dict[str, tuple[Service, ...]] = {
    "petition.routed": (Service.INTAKE, Service.SUPERVISION, Service.ACCOUNTABILITY),
    "petition.rerouted": (Service.INTAKE, Service.SUPERVISION, Service.ACCOUNTABILITY),
    "petition.referred_out": (Service.INTAKE, Service.ACCOUNTABILITY),
    "routing.manual_decision_required": (Service.ACCOUNTABILITY,),
    "case.returned_by_unit": (Service.ROUTING, Service.ACCOUNTABILITY),
}
"""Who binds a queue to each of this module's types."""
