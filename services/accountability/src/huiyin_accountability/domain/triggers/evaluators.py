"""The evaluators behind the rule kinds: which checks an event touches, and the judgement.

Every judgement looks only at the facts gathered for the check's petition and case, so the
order in which the events arrived does not matter: a check judged "clear" is judged again
when a new fact about its petition or case arrives.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from huiyin_accountability.domain.facts import Fact, handlers_of, of_type
from huiyin_accountability.domain.triggers.model import Clear, Finding, Rule, Verdict, Wait, Watch


@dataclass(frozen=True)
class Context:
    """What a judgement may use besides the facts: the time and the office's zone."""

    now: datetime
    zone: ZoneInfo


WatchFn = Callable[[Rule, Fact], list[Watch]]
JudgeFn = Callable[[Rule, Watch, Sequence[Fact], Context], Verdict]


@dataclass(frozen=True)
class Evaluator:
    watches: WatchFn
    judge: JudgeFn


def _watch(
    rule: Rule,
    key: str,
    fact: Fact,
    *,
    case_id: uuid.UUID | Literal["of_fact"] | None = "of_fact",
    due_at: datetime | None = None,
) -> Watch:
    """A check on ``key``, gathering the facts of the fact's petition (and case, unless
    ``case_id`` says otherwise)."""
    case = fact.case_id if case_id == "of_fact" else case_id
    return Watch(rule.id, key, petition_id=fact.petition_id, case_id=case, due_at=due_at)


def _units(*ids: str | None) -> tuple[str, ...]:
    return tuple(sorted({i for i in ids if i}))


# --- registration later than allowed ---------------------------------------------------------


def _registration_watches(rule: Rule, fact: Fact) -> list[Watch]:
    if fact.event_type != "petition.registered":
        return []
    return [_watch(rule, f"petition:{fact.petition_id}", fact)]


def _registration_judge(rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
    registered = of_type(facts, "petition.registered")
    if not registered:
        return Clear("registration not known yet")
    fact = registered[0]
    received = fact.moment("received_at").astimezone(ctx.zone).date()
    entered = fact.moment("registered_at").astimezone(ctx.zone).date()
    allowed = int(rule.params.get("allowed_days", 0))
    late_by = (entered - received).days - allowed
    if late_by <= 0:
        return Clear("registered in time")
    return Finding(
        summary=(
            f"Received {received.isoformat()}, registered {entered.isoformat()}: "
            f"{late_by} day(s) later than the {allowed}-day limit."
        ),
        evidence=(fact.event_id,),
        unit_ids=_units(fact.text("office_id")),
        staff_ids=_units(fact.text("registered_by")),
    )


# --- identity read by a role not allowed, or toward an accused unit --------------------------


def _identity_watches(rule: Rule, fact: Fact) -> list[Watch]:
    if fact.event_type != "identity.accessed":
        return []
    return [_watch(rule, f"identity:{fact.event_id}", fact)]


def _identity_judge(rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
    reads = [f for f in facts if f"identity:{f.event_id}" == watch.key]
    if not reads:
        return Clear("identity access not known yet")
    read = reads[0]
    accused: set[str] = set()
    basis = of_type(facts, "petition.registered", "petition.accepted")
    for fact in basis:
        petition = fact.data.get("petition", fact.data)
        accused.update(str(u) for u in petition.get("accused_unit_ids", []))
    allowed_roles = set(rule.params.get("allowed_roles", []))
    role, unit = read.text("reader_role"), read.text("reader_unit_id")
    problems = []
    if read.data.get("allowed") is False:
        problems.append("the read was refused (an attempted disclosure)")
    if role not in allowed_roles:
        problems.append(f"role {role!r} may not read identities")
    if unit in accused:
        problems.append(f"the reader's unit {unit} is accused in this petition")
    if not problems:
        return Clear("an allowed role read it for a unit not accused")
    return Finding(
        summary=f"Identity of petition {read.petition_id} read by {read.text('reader_id')}: "
        + "; ".join(problems)
        + ".",
        evidence=(read.event_id, *(f.event_id for f in basis)),
        unit_ids=_units(unit),
        staff_ids=_units(read.text("reader_id")),
    )


# --- urgent petition not reported in time ----------------------------------------------------


def _urgent_watches(rule: Rule, fact: Fact) -> list[Watch]:
    key = f"petition:{fact.petition_id}"
    if fact.event_type == "petition.registered" and fact.data.get("urgent"):
        hours = float(rule.params.get("allowed_hours", 24))
        due = fact.moment("registered_at") + timedelta(hours=hours)
        return [_watch(rule, key, fact, due_at=due)]
    if fact.event_type == "petition.urgent_reported":
        return [_watch(rule, key, fact)]
    return []


def _urgent_judge(rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
    registered = of_type(facts, "petition.registered")
    if not registered or not registered[0].data.get("urgent"):
        return Clear("not an urgent petition (or not registered yet)")
    fact = registered[0]
    deadline = fact.moment("registered_at") + timedelta(
        hours=float(rule.params.get("allowed_hours", 24))
    )
    reports = of_type(facts, "petition.urgent_reported")
    first = min(reports, key=lambda r: r.moment("reported_at"), default=None)
    if first is not None and first.moment("reported_at") <= deadline:
        return Clear("reported to a leader in time")
    if first is None and ctx.now < deadline:
        return Wait(deadline)
    when = "not reported" if first is None else f"reported only at {first.text('reported_at')}"
    return Finding(
        summary=f"Urgent petition registered {fact.text('registered_at')}: {when}; "
        f"the limit was {deadline.isoformat()}.",
        evidence=(fact.event_id, *(r.event_id for r in reports)),
        unit_ids=_units(fact.text("office_id")),
        staff_ids=_units(fact.text("registered_by"), first.text("reported_by") if first else None),
    )


# --- passed between units (推诿) --------------------------------------------------------------


def _bounce_watches(rule: Rule, fact: Fact) -> list[Watch]:
    if fact.event_type != "routing.manual_decision_required":
        return []
    return [_watch(rule, f"bounce:{fact.petition_id}", fact)]


def _bounce_judge(rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
    raised = of_type(facts, "routing.manual_decision_required")
    if not raised:
        return Clear("no manual decision raised")
    latest = raised[-1]
    chain = latest.data.get("bounce_chain", [])
    threshold = int(rule.params.get("threshold", 2))
    if len(chain) < threshold:
        return Clear(f"{len(chain)} return(s), below the threshold of {threshold}")
    returns = of_type(facts, "case.returned_by_unit")
    units = [str(b["unit"]["unit_id"]) for b in chain]
    return Finding(
        summary=f"Returned {len(chain)} times (threshold {threshold}) by units "
        + ", ".join(units)
        + f"; now with leader {latest.text('leader_id')}.",
        evidence=(latest.event_id, *(r.event_id for r in returns)),
        unit_ids=_units(*units),
        staff_ids=_units(*(r.text("returned_by") for r in returns)),
    )


# --- overdue clocks on a case ---------------------------------------------------------------


def _overdue_watches(prefix: str, clocks_param: str) -> WatchFn:
    def watches(rule: Rule, fact: Fact) -> list[Watch]:
        if fact.event_type != "case.overdue":
            return []
        if fact.text("clock") not in set(rule.params.get(clocks_param, [])):
            return []
        return [_watch(rule, f"{prefix}:{fact.case_id}:{fact.text('clock')}", fact)]

    return watches


def _overdue_of(watch: Watch, facts: Sequence[Fact]) -> list[Fact]:
    clock = watch.key.rsplit(":", 1)[1]
    return [
        f
        for f in of_type(facts, "case.overdue")
        if f.case_id == watch.case_id and f.text("clock") == clock
    ]


def _overdue_unexplained_judge(
    rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context
) -> Verdict:
    overdue = _overdue_of(watch, facts)
    unexplained = [f for f in overdue if f.data.get("explanation_filed") is False]
    if not unexplained or overdue[-1].data.get("explanation_filed") is True:
        return Clear("an explanation was filed")
    fact = unexplained[-1]
    assert watch.case_id is not None
    return Finding(
        summary=f"Clock {fact.text('clock')} due {fact.text('due_date')} passed "
        "with no explanation filed.",
        evidence=tuple(f.event_id for f in overdue),
        unit_ids=_units(str(fact.data["unit"]["unit_id"])),
        staff_ids=tuple(handlers_of(facts, watch.case_id)),
    )


def _feedback_judge(rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
    overdue = _overdue_of(watch, facts)
    if not overdue:
        return Clear("no overdue feedback clock")
    fact = overdue[0]
    assert watch.case_id is not None
    return Finding(
        summary=f"The petitioner was not told by {fact.text('due_date')} "
        f"(clock {fact.text('clock')}).",
        evidence=tuple(f.event_id for f in overdue),
        unit_ids=_units(str(fact.data["unit"]["unit_id"])),
        staff_ids=tuple(handlers_of(facts, watch.case_id)),
    )


# --- superior-assigned case late without a prior report ---------------------------------------


def _superior_watches(rule: Rule, fact: Fact) -> list[Watch]:
    if fact.event_type != "case.overdue" or fact.text("clock") != "resolve":
        return []
    return [_watch(rule, f"superior:{fact.case_id}", fact)]


def _superior_judge(rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
    overdue = [f for f in of_type(facts, "case.overdue") if f.text("clock") == "resolve"]
    opened = [f for f in of_type(facts, "case.opened") if f.case_id == watch.case_id]
    if not overdue or not opened:
        return Clear("the case's opening is not known yet")
    decision_id = opened[0].text("decision_id")
    decisions = [
        f
        for f in of_type(facts, "petition.routed", "petition.rerouted")
        if f.text("decision_id") == decision_id
    ]
    if not decisions:
        return Clear("the routing decision is not known yet")
    deadline_class = decisions[0].text("deadline_class")
    if deadline_class not in set(rule.params.get("deadline_classes", [])):
        return Clear(f"not superior-assigned ({deadline_class})")
    due = overdue[0].day("due_date")
    reported = [
        f
        for f in of_type(facts, "case.extension_requested")
        if f.case_id == watch.case_id
        and f.text("clock") == "resolve"
        and f.moment("requested_at").astimezone(ctx.zone).date() <= due
    ]
    if reported:
        return Clear("an extension with its reasons was requested before the due date")
    assert watch.case_id is not None
    return Finding(
        summary=f"Superior-assigned case ({deadline_class}) due {due.isoformat()} is late and "
        "no extension or reason was reported before the due date.",
        evidence=(overdue[0].event_id, opened[0].event_id, decisions[0].event_id),
        unit_ids=_units(str(overdue[0].data["unit"]["unit_id"])),
        staff_ids=tuple(handlers_of(facts, watch.case_id)),
    )


# --- repeat or cross-level petition caused by non-handling ----------------------------------


def _repeat_watches(rule: Rule, fact: Fact) -> list[Watch]:
    if fact.event_type != "petition.repeat_linked":
        return []
    if int(fact.data.get("repeat_count", 0)) < int(rule.params.get("min_repeat_count", 2)):
        return []
    return [_watch(rule, f"repeat:{fact.uuid('petition_id')}", fact, case_id=None)]


def _repeat_judge(rule: Rule, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
    repeats = [
        f
        for f in of_type(facts, "petition.repeat_linked")
        if watch.key.endswith(str(f.uuid("petition_id")))
    ]
    if not repeats:
        return Clear("repeat not known yet")
    repeat = repeats[0]
    linked_at = repeat.moment("linked_at")
    cases = {
        f.case_id: f for f in of_type(facts, "case.opened") if f.petition_id == repeat.petition_id
    }
    neglected = [
        f
        for f in of_type(facts, "case.overdue")
        if f.case_id in cases
        and f.text("clock") in {"acknowledge", "resolve"}
        and f.moment("detected_at") <= linked_at
    ]
    if not neglected:
        return Clear("the original petition was not found neglected before the repeat")
    units = [str(f.data["unit"]["unit_id"]) for f in neglected]
    staff = [h for f in neglected if f.case_id for h in handlers_of(facts, f.case_id)]
    return Finding(
        summary=f"Petition {repeat.text('petition_id')} repeats {repeat.petition_id} "
        f"(submission {repeat.data.get('repeat_count')}) after the original went overdue at "
        + ", ".join(sorted(set(units)))
        + ".",
        evidence=(repeat.event_id, *(f.event_id for f in neglected)),
        unit_ids=_units(*units),
        staff_ids=_units(*staff),
    )


EVALUATORS: dict[str, Evaluator] = {
    "registration_late": Evaluator(_registration_watches, _registration_judge),
    "identity_read_forbidden": Evaluator(_identity_watches, _identity_judge),
    "urgent_report_late": Evaluator(_urgent_watches, _urgent_judge),
    "bounced_past_threshold": Evaluator(_bounce_watches, _bounce_judge),
    "overdue_unexplained": Evaluator(
        _overdue_watches("overdue", "clocks"), _overdue_unexplained_judge
    ),
    "superior_assigned_late": Evaluator(_superior_watches, _superior_judge),
    "feedback_late": Evaluator(_overdue_watches("feedback", "clocks"), _feedback_judge),
    "repeat_after_non_handling": Evaluator(_repeat_watches, _repeat_judge),
}
"""Rule kind → evaluator. A rule file naming an unknown kind is refused at load."""
