"""The trigger rules, judged over facts built from the real event contracts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from huiyin_accountability.domain.facts import Fact, case_of, petition_of
from huiyin_accountability.domain.triggers import (
    EVALUATORS,
    Clear,
    Context,
    Finding,
    RuleFileError,
    RuleSet,
    Verdict,
    Wait,
    Watch,
)
from huiyin_shared.contracts.catalogue import EventData
from huiyin_shared.contracts.events import (
    Bounce,
    CaseAcceptedByUnit,
    CaseExtensionRequested,
    CaseOpened,
    CaseOverdue,
    CaseRole,
    ClockName,
    DeadlineClass,
    IdentityAccessed,
    PetitionRepeatLinked,
    PetitionRouted,
    PetitionUrgentReported,
    RoutingManualDecisionRequired,
    RoutingMode,
    UnitRef,
)
from huiyin_shared.testing.events import petition_facts, petition_registered

RULES = RuleSet.load()
ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 Monday in Shanghai
PETITION = uuid.UUID(int=1)
CASE = uuid.UUID(int=2)
UNIT = UnitRef(unit_id="unit-7", unit_name="Labour bureau", division_code="370102")


def fact(event: EventData, at: datetime = T0) -> Fact:
    data = event.model_dump(mode="json")
    return Fact(
        event_id=uuid.uuid4(),
        event_type=event.event_type,
        occurred_at=at,
        petition_id=petition_of(event.event_type, data),
        case_id=case_of(data),
        data=data,
    )


def judge(facts: Sequence[Fact], *, now: datetime = T0 + timedelta(days=1)) -> list[Verdict]:
    """Every check the facts touch, judged over all of them (as the timer would)."""
    watches = {(w.rule_id, w.key): w for f in facts for w in RULES.watches(f)}
    return [RULES.judge(w, facts, Context(now=now, zone=ZONE)) for w in watches.values()]


def findings(facts: Sequence[Fact], **kw: datetime) -> list[Finding]:
    return [v for v in judge(facts, **kw) if isinstance(v, Finding)]


def test_the_shipped_rules_cover_every_kind_and_name_their_sources() -> None:
    assert {r.kind for r in RULES.rules} == set(EVALUATORS)
    assert all(r.source and any(ch.isdigit() for ch in r.source) for r in RULES.rules)


def test_a_rule_file_with_an_unknown_kind_is_refused() -> None:
    with pytest.raises(RuleFileError, match="unknown rule kind"):
        RuleSet.parse("rules: [{id: x, kind: guess, title: t, source: s}]")


def test_registration_on_a_later_day_than_receipt_matches() -> None:
    late = petition_registered(PETITION, received_at=T0, registered_at=T0 + timedelta(days=2))
    [found] = findings([fact(late)])
    assert found.staff_ids == ("clerk-1",)
    assert found.unit_ids == ("office-370102",)
    assert "2 day(s) later" in found.summary
    # Same office day, even across UTC midnight (23:30 UTC is 07:30 next day in Shanghai).
    same_day = petition_registered(PETITION, received_at=T0, registered_at=T0 + timedelta(hours=12))
    assert findings([fact(same_day)]) == []


def identity_read(role: str, unit: str, *, allowed: bool = True) -> IdentityAccessed:
    return IdentityAccessed(
        petition_id=PETITION,
        reader_id="staff-9",
        reader_role=role,
        reader_unit_id=unit,
        reason="verification",
        read_at=T0,
        allowed=allowed,
    )


def test_identity_read_by_a_role_not_allowed_or_toward_the_accused_matches() -> None:
    registered = fact(petition_registered(PETITION, accused_unit_ids=["unit-7"]))
    assert findings([registered, fact(identity_read("identity_custodian", "office-1"))]) == []
    [wrong_role] = findings([registered, fact(identity_read("handler", "office-1"))])
    assert "role 'handler'" in wrong_role.summary
    assert wrong_role.staff_ids == ("staff-9",)
    [accused] = findings([registered, fact(identity_read("identity_custodian", "unit-7"))])
    assert "accused" in accused.summary
    [refused] = findings([registered, fact(identity_read("clerk", "x", allowed=False))])
    assert "attempted disclosure" in refused.summary


def test_identity_read_judged_again_once_the_accused_unit_is_known() -> None:
    read = fact(identity_read("identity_custodian", "unit-7"))
    assert findings([read]) == []  # the registration has not arrived yet
    later = fact(petition_registered(PETITION, accused_unit_ids=["unit-7"]))
    assert len(findings([read, later])) == 1


def test_urgent_petition_waits_for_its_deadline_then_matches_unless_reported() -> None:
    registered = fact(petition_registered(PETITION, urgent=True))
    assert Wait(T0 + timedelta(hours=24)) in judge([registered], now=T0 + timedelta(hours=1))
    assert len(findings([registered], now=T0 + timedelta(hours=25))) == 1
    report = PetitionUrgentReported(
        petition_id=PETITION,
        reported_at=T0 + timedelta(hours=2),
        reported_to="leader-1",
        reported_by="clerk-1",
    )
    assert findings([registered, fact(report)], now=T0 + timedelta(hours=25)) == []
    late = report.model_copy(update={"reported_at": T0 + timedelta(hours=30)})
    [found] = findings([fact(late), registered], now=T0 + timedelta(hours=31))
    assert "reported only at" in found.summary


def test_bounced_past_the_threshold_names_every_unit_in_the_chain() -> None:
    def bounce(unit_id: str) -> Bounce:
        unit = UNIT.model_copy(update={"unit_id": unit_id})
        return Bounce(unit=unit, reason="not ours", returned_at=T0)

    raised = RoutingManualDecisionRequired(
        petition_id=PETITION,
        bounce_chain=[bounce("unit-a"), bounce("unit-b")],
        leader_id="leader-1",
        raised_at=T0,
    )
    [found] = findings([fact(raised)])
    assert found.unit_ids == ("unit-a", "unit-b")
    once = raised.model_copy(update={"bounce_chain": [bounce("unit-a")]})
    assert findings([fact(once)]) == []


def overdue(clock: ClockName, *, explained: bool, due: date = date(2026, 5, 1)) -> CaseOverdue:
    return CaseOverdue(
        case_id=CASE,
        unit=UNIT,
        clock=clock,
        due_date=due,
        explanation_filed=explained,
        detected_at=T0 + timedelta(days=70),
    )


def case_facts(deadline_class: DeadlineClass = DeadlineClass.GENERAL) -> list[Fact]:
    decision = uuid.uuid4()
    mode = (
        RoutingMode.TRANSFER
        if deadline_class is DeadlineClass.NO_RESULT_REPORT
        else (RoutingMode.ASSIGN)
    )
    routed = PetitionRouted(
        petition_id=PETITION,
        decision_id=decision,
        mode=mode,
        lead_unit=UNIT,
        deadline_class=deadline_class,
        routed_at=T0,
        reasons=["competence: labour"],
        petition=petition_facts(),
    )
    opened = CaseOpened(
        case_id=CASE,
        petition_id=PETITION,
        decision_id=decision,
        unit=UNIT,
        role=CaseRole.LEAD,
        mode=mode,
        opened_at=T0,
    )
    accepted = CaseAcceptedByUnit(case_id=CASE, unit=UNIT, handler_id="handler-1", accepted_at=T0)
    return [fact(routed), fact(opened), fact(accepted)]


def test_overdue_without_explanation_matches_the_unit_and_its_handler() -> None:
    [found] = findings([*case_facts(), fact(overdue(ClockName.RESOLVE, explained=False))])
    assert found.unit_ids == ("unit-7",)
    assert found.staff_ids == ("handler-1",)
    assert findings([*case_facts(), fact(overdue(ClockName.RESOLVE, explained=True))]) == []


def test_superior_assigned_case_late_without_a_prior_report() -> None:
    facts = case_facts(DeadlineClass.SUPERIOR_ASSIGNED)
    late = fact(overdue(ClockName.RESOLVE, explained=True))
    [found] = findings([*facts, late])
    assert "Superior-assigned" in found.summary
    asked = CaseExtensionRequested(
        case_id=CASE,
        clock=ClockName.RESOLVE,
        days=30,
        reason="witnesses abroad",
        requested_at=datetime(2026, 4, 28, 2, 0, tzinfo=UTC),
        requested_by="handler-1",
    )
    assert findings([*facts, late, fact(asked)]) == []
    too_late = asked.model_copy(update={"requested_at": datetime(2026, 5, 3, 2, tzinfo=UTC)})
    assert len(findings([*facts, late, fact(too_late)])) == 1
    # Not superior-assigned: only the overdue-without-explanation rule could apply.
    assert findings([*case_facts(), late]) == []


def test_no_feedback_to_the_petitioner_on_time() -> None:
    [found] = findings([*case_facts(), fact(overdue(ClockName.NOTIFY_PETITIONER, explained=True))])
    assert "not told" in found.summary


def test_a_repeat_after_the_original_went_overdue_matches_its_handling_unit() -> None:
    repeat = PetitionRepeatLinked(
        petition_id=uuid.UUID(int=99),
        original_petition_id=PETITION,
        repeat_count=2,
        linked_at=T0 + timedelta(days=80),
    )
    neglect = fact(overdue(ClockName.RESOLVE, explained=True))
    [found] = [
        f for f in findings([*case_facts(), neglect, fact(repeat)]) if "repeats" in f.summary
    ]
    assert found.unit_ids == ("unit-7",)
    assert found.staff_ids == ("handler-1",)
    verdicts = judge([*case_facts(), fact(repeat)])
    assert all(isinstance(v, Clear) for v in verdicts)


def test_a_check_is_judged_at_its_deadline_plus_the_settling_time() -> None:
    watch = Watch("x", "k", None, None, due_at=T0 + timedelta(hours=5))
    settle = timedelta(seconds=60)
    assert watch.check_at(T0, settle) == T0 + timedelta(hours=5, seconds=60)
    assert watch.check_at(T0 + timedelta(days=1), settle) == T0 + timedelta(days=1, seconds=60)
