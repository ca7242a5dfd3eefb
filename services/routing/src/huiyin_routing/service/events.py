"""Turning stored decisions into the routing events (no petitioner identity ever)."""

from __future__ import annotations

import uuid
from datetime import datetime

from huiyin_routing.domain.decision import Decision, Escalation
from huiyin_routing.domain.registry import Organisation
from huiyin_routing.domain.requests import BounceRecord
from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.events.common import PetitionFacts, UnitRef
from huiyin_shared.contracts.events.routing import (
    Bounce,
    EscalationContacts,
    PetitionReferredOut,
    PetitionRerouted,
    PetitionRouted,
    RoutingManualDecisionRequired,
)


def unit_ref(unit: Organisation) -> UnitRef:
    return UnitRef(unit_id=unit.unit_id, unit_name=unit.name, division_code=unit.division)


def bounce_ref(bounce: BounceRecord) -> UnitRef:
    return UnitRef(
        unit_id=bounce.unit_id, unit_name=bounce.unit_name, division_code=bounce.division_code
    )


def _contacts(escalation: Escalation | None) -> EscalationContacts | None:
    if escalation is None:
        return None
    return EscalationContacts(
        unit_head_id=escalation.unit_head_id,
        leader_in_charge_id=escalation.leader_in_charge_id,
        top_leader_id=escalation.top_leader_id,
        superior_unit=None if escalation.superior is None else unit_ref(escalation.superior),
    )


def routed_event(
    *,
    petition_id: uuid.UUID,
    decision_id: uuid.UUID,
    decision: Decision,
    facts: PetitionFacts,
    at: datetime,
    decided_by: str | None,
    bounces: list[BounceRecord],
) -> EventData:
    """petition.routed the first time, petition.rerouted after a return."""
    assert decision.lead is not None
    assert decision.mode is not None
    assert decision.deadline_class is not None
    fields = {
        "petition_id": petition_id,
        "decision_id": decision_id,
        "mode": decision.mode,
        "lead_unit": unit_ref(decision.lead),
        "participating_units": [unit_ref(u) for u in decision.participants][:20],
        "deadline_class": decision.deadline_class,
        "routed_at": at,
        "decided_by": decided_by,
        "reasons": decision.reasons(),
        "petition": facts,
        "escalation": _contacts(decision.escalation),
    }
    if bounces:
        return PetitionRerouted(
            **fields, previous_unit=bounce_ref(bounces[-1]), bounce_count=len(bounces)
        )
    return PetitionRouted(**fields)


def referred_out_event(
    *,
    petition_id: uuid.UUID,
    decision_id: uuid.UUID,
    decision: Decision,
    at: datetime,
    decided_by: str | None,
) -> PetitionReferredOut:
    assert decision.authority is not None
    return PetitionReferredOut(
        petition_id=petition_id,
        decision_id=decision_id,
        authority=decision.authority[:500],
        reason=decision.rules[-1][:500],
        referred_at=at,
        decided_by=decided_by,
    )


def manual_required_event(
    *, petition_id: uuid.UUID, bounces: list[BounceRecord], leader_id: str, at: datetime
) -> RoutingManualDecisionRequired:
    return RoutingManualDecisionRequired(
        petition_id=petition_id,
        bounce_chain=[
            Bounce(unit=bounce_ref(b), reason=b.reason[:500], returned_at=b.returned_at)
            for b in bounces[-100:]
        ],
        leader_id=leader_id,
        raised_at=at,
    )
