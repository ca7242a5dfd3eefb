"""Decisions a leader takes by hand: who decides, and what a manual decision may not do."""

from __future__ import annotations

from huiyin_routing.domain.decision import (
    Candidate,
    Decision,
    Outcome,
    Verdict,
    accused_exclusions,
    escalation_for,
)
from huiyin_routing.domain.registry import RegistrySnapshot
from huiyin_shared.contracts.events.common import DeadlineClass, PetitionFacts, RoutingMode
from huiyin_shared.errors import RuleViolation


class ManualDecisionRefused(RuleViolation):
    slug = "manual-routing-refused"
    title = "The manual routing decision breaks a rule"


def deciding_leader(
    facts: PetitionFacts, snapshot: RegistrySnapshot, division_code: str
) -> str | None:
    """The leader who owns a manual decision: the deputy in charge of the matter's area at
    the level last routed to, else its top leader, climbing the tree; never one who is
    accused or has a declared conflict."""
    area = facts.subject_category.split(".", 1)[0]
    accused = set(facts.accused_person_refs)
    accused_units = set(facts.accused_unit_ids)
    place = snapshot.nearest_known(division_code)
    if place is None:
        return None

    def eligible(person: str | None) -> bool:
        if person is None or person in accused:
            return False
        return not any(
            c.with_person in accused or c.with_unit in accused_units
            for c in snapshot.conflicts_of(person)
        )

    for division in snapshot.ancestors(place):
        for person in (division.leaders_in_charge.get(area), division.top_leader):
            if eligible(person):
                return person
    return None


def manual_decision(
    facts: PetitionFacts,
    snapshot: RegistrySnapshot,
    *,
    mode: RoutingMode,
    lead_unit_id: str | None,
    participating_unit_ids: tuple[str, ...],
    deadline_class: DeadlineClass | None,
    authority: str | None,
    decided_by: str,
    reason: str,
) -> Decision:
    """A leader's decision, checked against the rules no one may override (§5.5)."""
    rules = (f"manual decision by {decided_by}: {reason}",)
    if mode is RoutingMode.REFER_OUT:
        if not authority:
            raise ManualDecisionRefused(
                "referring out names the competent authority",
                errors=[{"field": "authority", "message": "required to refer out"}],
            )
        return Decision(
            outcome=Outcome.REFER_OUT,
            registry_version=snapshot.version,
            rules=rules,
            mode=mode,
            authority=authority,
        )
    unit_ids = [lead_unit_id, *participating_unit_ids] if lead_unit_id else []
    if not unit_ids:
        raise ManualDecisionRefused(
            "a routing names its lead unit",
            errors=[{"field": "lead_unit_id", "message": "required unless referring out"}],
        )
    if len(set(unit_ids)) != len(unit_ids):
        raise ManualDecisionRefused(
            "a unit appears twice",
            errors=[{"field": "participating_unit_ids", "message": "units must be distinct"}],
        )
    excluded = accused_exclusions(facts, snapshot)
    errors = []
    for index, unit_id in enumerate(unit_ids):
        field = "lead_unit_id" if index == 0 else f"participating_unit_ids[{index - 1}]"
        unit = snapshot.organisations.get(str(unit_id))
        if unit is None:
            errors.append({"field": field, "message": f"unknown unit {unit_id}"})
        elif unit.type.out_of_scope:
            errors.append({"field": field, "message": f"{unit.name} is outside: refer out"})
        elif unit.unit_id in excluded:
            errors.append({"field": field, "message": f"{unit.name}: {excluded[unit.unit_id]}"})
    if errors:
        raise ManualDecisionRefused("the units chosen may not receive this petition", errors=errors)
    lead = snapshot.organisations[str(lead_unit_id)]
    participants = tuple(snapshot.organisations[u] for u in participating_unit_ids)
    if deadline_class is None:
        deadline_class = (
            DeadlineClass.NO_RESULT_REPORT
            if mode is RoutingMode.TRANSFER
            else DeadlineClass.IMPORTANT
            if facts.urgent or facts.collective
            else DeadlineClass.GENERAL
        )
    if (mode is RoutingMode.TRANSFER) != (deadline_class is DeadlineClass.NO_RESULT_REPORT):
        raise ManualDecisionRefused(
            "exactly the transfer mode owes no result report",
            errors=[{"field": "deadline_class", "message": "does not match the mode"}],
        )
    escalation, recusals = escalation_for(facts, snapshot, lead)
    candidates = tuple(
        Candidate(u.unit_id, u.name, u.division, verdict, "chosen by the leader")
        for u, verdict in [
            (lead, Verdict.LEAD),
            *((p, Verdict.PARTICIPATING) for p in participants),
        ]
    )
    return Decision(
        outcome=Outcome.ROUTE,
        registry_version=snapshot.version,
        rules=rules,
        candidates=candidates,
        recusals=recusals,
        mode=mode,
        lead=lead,
        participants=participants,
        deadline_class=deadline_class,
        escalation=escalation,
    )
