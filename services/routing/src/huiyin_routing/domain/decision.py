"""The routing decision: a pure function of the petition facts and a registry snapshot.

Rules (domain §5): territorial jurisdiction and level responsibility — the lowest level
competent for the place; a petition about an official goes to the level that manages that
official; competence by kind and subject category, with one lead unit and participating
units; exclusions (the accused unit, units led by the accused, units that returned the case)
and recusals; matters for courts, procuratorates, legislatures, litigation, arbitration or
reconsideration are referred out. Every step leaves a reason: the decision is a
power-operation record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from huiyin_routing.domain.decision_model import (
    STATUTORY_AUTHORITIES,
    Candidate,
    Decision,
    Escalation,
    Outcome,
    RoutingPolicy,
    Verdict,
)
from huiyin_routing.domain.registry import (
    CompetenceRole,
    Division,
    Organisation,
    OrganisationType,
    Person,
    RegistrySnapshot,
    pattern_specificity,
    subject_patterns,
)
from huiyin_shared.contracts.events.common import (
    DeadlineClass,
    PetitionFacts,
    RoutingMode,
)


class _Context:
    """What one decision knows while it runs: facts, snapshot and the reasons so far."""

    def __init__(
        self,
        facts: PetitionFacts,
        snapshot: RegistrySnapshot,
        excluded: Mapping[str, str],
    ) -> None:
        self.facts = facts
        self.snapshot = snapshot
        self.accused_units = frozenset(facts.accused_unit_ids)
        self.accused_people = frozenset(facts.accused_person_refs)
        self.officials: list[Person] = [
            snapshot.people[ref] for ref in facts.accused_person_refs if ref in snapshot.people
        ]
        self.exclusions: dict[str, str] = dict(excluded)
        self.rules: list[str] = []
        self.candidates: list[Candidate] = []
        self.recusals: list[str] = []
        self._recusal_cache: dict[str, str | None] = {}
        self._collect_exclusions()

    def _collect_exclusions(self) -> None:
        for unit_id in self.facts.accused_unit_ids:
            self.exclusions.setdefault(unit_id, "it is the accused unit (§5.5)")
        for official in self.officials:
            self.exclusions.setdefault(
                official.unit, f"it is the own unit of the accused official {official.person_id}"
            )
        for ref in self.facts.accused_person_refs:
            for unit_id in self.snapshot.units_led_by.get(ref, ()):
                self.exclusions.setdefault(unit_id, f"it is led by the accused person {ref}")

    def recusal(self, staff_id: str) -> str | None:
        """Why ``staff_id`` must not handle or decide this petition, or None."""
        if staff_id not in self._recusal_cache:
            self._recusal_cache[staff_id] = self._find_recusal(staff_id)
        return self._recusal_cache[staff_id]

    def _find_recusal(self, staff_id: str) -> str | None:
        if staff_id in self.accused_people:
            return "is the accused person"
        for conflict in self.snapshot.conflicts_of(staff_id):
            if conflict.with_person is not None and conflict.with_person in self.accused_people:
                return f"declared conflict with {conflict.with_person}: {conflict.reason}"
            if conflict.with_unit is not None and conflict.with_unit in self.accused_units:
                return f"declared conflict with {conflict.with_unit}: {conflict.reason}"
        return None

    def reject(self, unit: Organisation, reason: str) -> None:
        self.candidates.append(
            Candidate(unit.unit_id, unit.name, unit.division, Verdict.REJECTED, reason)
        )

    def accept(self, unit: Organisation, verdict: Verdict, reason: str) -> None:
        self.candidates.append(Candidate(unit.unit_id, unit.name, unit.division, verdict, reason))


def decide(
    facts: PetitionFacts,
    snapshot: RegistrySnapshot,
    *,
    excluded: Mapping[str, str] | None = None,
    policy: RoutingPolicy | None = None,
) -> Decision:
    """Where the petition goes, and why. ``excluded`` maps unit ids to why they may not
    receive it (e.g. they returned it); those come on top of the rules' own exclusions."""
    policy = policy or RoutingPolicy()
    ctx = _Context(facts, snapshot, excluded or {})
    place = snapshot.nearest_known(facts.division_code)
    if place is None:
        ctx.rules.append(
            f"territory: division {facts.division_code} and its parents are not in registry "
            f"version {snapshot.version}"
        )
        return _without_unit(ctx)
    if place != facts.division_code:
        ctx.rules.append(
            f"territory: division {facts.division_code} is not registered; nearest registered "
            f"division is {place} {snapshot.divisions[place].name}"
        )
    area = facts.subject_category.split(".", 1)[0]
    statutory = policy.statutory_authorities.get(area)
    start = _starting_division(ctx, place)
    for division in snapshot.ancestors(start):
        found = _at_level(ctx, division, statutory_area=statutory is not None)
        if isinstance(found, str):
            return _referred_out(ctx, found, statutory)
        if found is not None:
            lead, participants = found
            return _routed(ctx, policy, lead, participants)
    if statutory is not None:
        return _referred_out(ctx, statutory, statutory)
    ctx.rules.append(
        f"competence: no eligible unit competent for {facts.kind.value} / "
        f"{facts.subject_category} at {snapshot.divisions[place].name} or above"
    )
    return _without_unit(ctx)


def _starting_division(ctx: _Context, place: str) -> str:
    """The place, or — for a petition about an official — the managing body's level."""
    ctx.rules.append(
        f"territory (属地管理、分级负责, §5.1): the lowest competent level for "
        f"{ctx.snapshot.divisions[place].name} ({place})"
    )
    managers = [
        (official, ctx.snapshot.organisations[official.managed_by])
        for official in ctx.officials
        if official.managed_by is not None
    ]
    if not managers:
        return place
    # Several officials: the highest managing level handles all of them.
    official, manager = min(
        managers, key=lambda pair: sum(1 for _ in ctx.snapshot.ancestors(pair[1].division))
    )
    ctx.rules.append(
        f"cadre management: the petition concerns official {official.person_id} "
        f"({official.post}), managed by {manager.name}; handled at that level, never by the "
        f"official's own unit"
    )
    return manager.division


def _competent_units(
    ctx: _Context, division: Division
) -> list[tuple[Organisation, int, CompetenceRole, int]]:
    """Units at ``division`` competent for the kind and subject: (unit, specificity, role,
    priority), each unit once with its most specific competence."""
    index = ctx.snapshot.competence_index.get(division.code)
    if not index:
        return []
    found: dict[str, tuple[Organisation, int, CompetenceRole, int]] = {}
    for pattern in subject_patterns(ctx.facts.subject_category):
        for unit, competence in index.get(pattern, ()):
            if unit.unit_id in found or not competence.covers_kind(ctx.facts.kind):
                continue
            found[unit.unit_id] = (
                unit,
                pattern_specificity(pattern),
                competence.role,
                competence.priority,
            )
    return list(found.values())


def _at_level(
    ctx: _Context, division: Division, *, statutory_area: bool
) -> tuple[Organisation, list[Organisation]] | str | None:
    """The lead and participants at this level, an authority's name to refer out to, or
    None to look one level up."""
    competent = _competent_units(ctx, division)
    if statutory_area:
        # A matter the law gives to another authority is never handled in the system,
        # whatever catch-all competence a unit here declares: find the authority.
        competent = [entry for entry in competent if entry[0].type.out_of_scope]
    if not competent:
        ctx.rules.append(
            f"level: no unit at {division.name} ({division.code}) is competent for "
            f"{ctx.facts.kind.value} / {ctx.facts.subject_category}"
        )
        return None
    eligible: list[tuple[Organisation, int, CompetenceRole, int]] = []
    for unit, specificity, role, priority in competent:
        reason = ctx.exclusions.get(unit.unit_id) or _all_recused(ctx, unit)
        if reason is not None:
            ctx.reject(unit, reason)
        else:
            eligible.append((unit, specificity, role, priority))
    eligible.sort(key=lambda e: (-e[1], e[0].type.out_of_scope, e[3], e[0].unit_id))
    authorities = [e for e in eligible if e[0].type.out_of_scope]
    if authorities and (statutory_area or authorities[0] is eligible[0]):
        authority = authorities[0][0]
        ctx.accept(authority, Verdict.AUTHORITY, "competent authority outside the petition system")
        for unit, *_ in eligible[1:]:
            ctx.reject(unit, f"the matter lies with {authority.name}")
        return authority.name
    in_scope = [e for e in eligible if not e[0].type.out_of_scope]
    for unit, *_ in authorities:
        ctx.reject(unit, "out-of-scope authority; units of the petition system are competent")
    leads = [e for e in in_scope if e[2] is CompetenceRole.LEAD]
    if not leads:
        for unit, *_ in in_scope:
            ctx.reject(unit, "competent only to take part; no unit at this level can lead")
        ctx.rules.append(
            f"level: no eligible lead unit at {division.name} ({division.code}); "
            f"looking one level up"
        )
        return None
    return _lead_and_participants(ctx, division, leads[0], in_scope)


def _lead_and_participants(
    ctx: _Context,
    division: Division,
    chosen: tuple[Organisation, int, CompetenceRole, int],
    in_scope: list[tuple[Organisation, int, CompetenceRole, int]],
) -> tuple[Organisation, list[Organisation]]:
    lead, best, _, _ = chosen
    ctx.accept(lead, Verdict.LEAD, _lead_reason(chosen))
    participants: list[Organisation] = []
    for unit, specificity, _, _ in in_scope:
        if unit is lead:
            continue
        if specificity < best:
            ctx.reject(unit, "a unit with a more specific competence for the subject leads")
            continue
        participants.append(unit)
        ctx.accept(unit, Verdict.PARTICIPATING, "also competent for the subject (§5.4)")
    ctx.rules.append(
        f"competence (谁主管、谁负责, 归口办理): {lead.name} leads at {division.name}"
        + (f" with {len(participants)} participating unit(s)" if participants else "")
    )
    return lead, participants


def _lead_reason(entry: tuple[Organisation, int, CompetenceRole, int]) -> str:
    _, specificity, _, priority = entry
    kind = "exact subject" if specificity % 2 == 0 else "subject area"
    return f"competent for the {kind}; lead by priority {priority}"


def _all_recused(ctx: _Context, unit: Organisation) -> str | None:
    """A unit whose head and every handler are recused cannot take the case."""
    staff = [s for s in (unit.head, *unit.handlers) if s is not None]
    if not staff:
        return None
    reasons = [(s, ctx.recusal(s)) for s in staff]
    if all(reason is not None for _, reason in reasons):
        return "its head and every handler are recused"
    return None


def _routed(
    ctx: _Context, policy: RoutingPolicy, lead: Organisation, participants: list[Organisation]
) -> Decision:
    facts = ctx.facts
    for unit in (lead, *participants):
        for staff in filter(None, (unit.head, *unit.handlers)):
            reason = ctx.recusal(staff)
            if reason is not None:
                ctx.recusals.append(f"recusal (回避, §5.5): {staff} of {unit.name} {reason}")
    concerns_officials = bool(ctx.officials or ctx.accused_units)
    if lead.unit_id == facts.office_id:
        mode = RoutingMode.HANDLE_DIRECTLY
        ctx.rules.append("mode: the registering office is itself competent — handle directly")
    elif (
        facts.kind in policy.transfer_kinds
        and not concerns_officials
        and not facts.urgent
        and not facts.collective
    ):
        mode = RoutingMode.TRANSFER
        ctx.rules.append(f"mode: a {facts.kind.value} is transferred; no result report owed")
    else:
        mode = RoutingMode.ASSIGN
        ctx.rules.append("mode: assigned with a result report owed by a deadline")
    deadline = _deadline_class(ctx, mode, lead)
    escalation = _escalation(ctx, lead)
    return Decision(
        outcome=Outcome.ROUTE,
        registry_version=ctx.snapshot.version,
        rules=tuple(ctx.rules),
        candidates=tuple(ctx.candidates),
        recusals=tuple(ctx.recusals),
        mode=mode,
        lead=lead,
        participants=tuple(participants),
        deadline_class=deadline,
        escalation=escalation,
    )


def _deadline_class(ctx: _Context, mode: RoutingMode, lead: Organisation) -> DeadlineClass:
    if mode is RoutingMode.TRANSFER:
        return DeadlineClass.NO_RESULT_REPORT
    if (
        mode is RoutingMode.ASSIGN
        and ctx.officials
        and lead.type is OrganisationType.DISCIPLINE_INSPECTION
    ):
        ctx.rules.append(
            "deadline: discipline case assigned by the managing level (纪群字), 3 months"
        )
        return DeadlineClass.SUPERIOR_ASSIGNED
    if ctx.facts.urgent or ctx.facts.collective:
        ctx.rules.append("deadline: urgent or collective petition — important matter")
        return DeadlineClass.IMPORTANT
    return DeadlineClass.GENERAL


def _first_eligible(ctx: _Context, people: Iterable[str | None], role: str) -> str | None:
    for person in people:
        if person is None:
            continue
        reason = ctx.recusal(person)
        if reason is None:
            return person
        ctx.recusals.append(f"recusal (回避, §5.5): {role} {person} {reason}")
    return None


def _escalation(ctx: _Context, lead: Organisation) -> Escalation:
    division = ctx.snapshot.divisions[lead.division]
    area = ctx.facts.subject_category.split(".", 1)[0]
    superior = ctx.snapshot.superior_of(lead)
    seen: set[str] = set()
    while superior is not None and superior.unit_id in ctx.exclusions:
        if superior.unit_id in seen:
            break
        seen.add(superior.unit_id)
        superior = ctx.snapshot.superior_of(superior)
    return Escalation(
        unit_head_id=_first_eligible(ctx, [lead.head], "unit head"),
        leader_in_charge_id=_first_eligible(
            ctx, [division.leaders_in_charge.get(area)], "leader in charge"
        ),
        top_leader_id=_first_eligible(ctx, [division.top_leader], "top leader"),
        superior=superior,
    )


def _referred_out(ctx: _Context, authority: str, statutory: str | None) -> Decision:
    if statutory is not None:
        ctx.rules.append(
            "refer out (告知, 000 第九条): the matter must go through litigation, arbitration, "
            "reconsideration or another authority by law"
        )
    else:
        ctx.rules.append(
            "refer out (告知, §4.4): the competent authority is a court, procuratorate, "
            "legislature or other body outside the petition system"
        )
    return Decision(
        outcome=Outcome.REFER_OUT,
        registry_version=ctx.snapshot.version,
        rules=tuple(ctx.rules),
        candidates=tuple(ctx.candidates),
        recusals=tuple(ctx.recusals),
        mode=RoutingMode.REFER_OUT,
        authority=authority,
    )


def _without_unit(ctx: _Context) -> Decision:
    return Decision(
        outcome=Outcome.NO_COMPETENT_UNIT,
        registry_version=ctx.snapshot.version,
        rules=tuple(ctx.rules),
        candidates=tuple(ctx.candidates),
        recusals=tuple(ctx.recusals),
    )


def accused_exclusions(facts: PetitionFacts, snapshot: RegistrySnapshot) -> dict[str, str]:
    """The units no decision — automatic or manual — may send this petition to (§5.5)."""
    return _Context(facts, snapshot, {}).exclusions


def escalation_for(
    facts: PetitionFacts, snapshot: RegistrySnapshot, lead: Organisation
) -> tuple[Escalation, tuple[str, ...]]:
    """The escalation ladder above ``lead`` for this petition, and the recusals applied."""
    ctx = _Context(facts, snapshot, {})
    escalation = _escalation(ctx, lead)
    return escalation, tuple(ctx.recusals)


__all__ = [
    "STATUTORY_AUTHORITIES",
    "Candidate",
    "Decision",
    "Escalation",
    "Outcome",
    "RoutingPolicy",
    "Verdict",
    "accused_exclusions",
    "decide",
    "escalation_for",
]
