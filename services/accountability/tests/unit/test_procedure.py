"""The procedure's state machine: order, clocks on the business calendar, refusals."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from huiyin_accountability.domain.procedure import (
    CaseRecord,
    Decision,
    ProcedureRefused,
    Proposal,
    Stage,
    Subject,
    open_deadlines,
)
from huiyin_accountability.domain.sanctions import Circumstance
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.accountability import (
    AccountabilityStep,
    AppealOutcome,
    DecisionOutcome,
    SanctionCode,
    Severity,
    SubjectKind,
)

CAL = BusinessCalendar()
HANDLER = Subject(kind=SubjectKind.STAFF, id="handler-1")
UNIT = Subject(kind=SubjectKind.UNIT, id="unit-7")
# Monday 28 September 2026: the National Day holiday (1–8 October 2026) lies ahead.
OPENED = date(2026, 9, 28)


def opened(*subjects: Subject) -> CaseRecord:
    return CaseRecord.open(
        case_id=uuid.uuid4(),
        matter_id=uuid.uuid4(),
        subjects=list(subjects or (HANDLER,)),
        on=OPENED,
        calendar=CAL,
    )


def investigating(*subjects: Subject) -> CaseRecord:
    return opened(*subjects).form_team(members=["inv-1", "inv-2"], conflicts={})


def heard(record: CaseRecord) -> CaseRecord:
    for subject in record.subjects:
        record = record.record_statement(
            subject_key=subject.key,
            text="I followed the instructions I was given.",
            declined=False,
            recorded_by="inv-1",
            on=OPENED,
        )
    return record


def serious(subject: Subject = HANDLER, **changes: object) -> Proposal:
    values: dict[str, object] = {
        "subject": subject,
        "outcome": DecisionOutcome.SANCTIONED,
        "base_severity": Severity.SERIOUS,
        "severity": Severity.SERIOUS,
        "sanctions": (SanctionCode.CIRCULATED_CRITICISM,),
    }
    return Proposal.model_validate({**values, **changes})


def reported(proposal: Proposal | None = None) -> CaseRecord:
    return heard(investigating()).submit_report(
        facts="Case 17 was left 40 days overdue.",
        conclusion="Delay without reason.",
        proposals=[proposal or serious()],
        submitted_by="inv-1",
        on=date(2026, 10, 9),
    )


def decision(severity: Severity, *codes: SanctionCode, subject: Subject = HANDLER) -> Decision:
    return Decision(
        subject=subject, outcome=DecisionOutcome.SANCTIONED, severity=severity, sanctions=codes
    )


def decided() -> CaseRecord:
    return reported().decide(
        decisions=[decision(Severity.SERIOUS, SanctionCode.CIRCULATED_CRITICISM)],
        decided_by="committee",
        on=date(2026, 10, 12),
        calendar=CAL,
    )


def served() -> CaseRecord:
    return decided().serve(on=date(2026, 10, 13), calendar=CAL)


def test_the_investigation_clock_skips_the_national_day_holiday() -> None:
    record = opened()
    # 29, 30 Sept; holiday 1–8 Oct (10 Oct, a Saturday, is a make-up working day).
    assert record.investigation_due == CAL.add_working_days(OPENED, 10).due
    assert record.investigation_due > date(2026, 10, 9)
    assert open_deadlines(record) == [
        (AccountabilityStep.INVESTIGATION, "-", record.investigation_due)
    ]


def test_conflicted_members_and_subjects_are_recused() -> None:
    record = opened().form_team(
        members=["inv-1", "inv-2", "inv-3", "handler-1"], conflicts={"inv-3": "brother-in-law"}
    )
    assert record.team == ("inv-1", "inv-2")
    assert {(r.member, r.reason) for r in record.recusals} == {
        ("inv-3", "brother-in-law"),
        ("handler-1", "subject of the case"),
    }
    assert record.stage is Stage.INVESTIGATING


def test_a_team_left_too_small_by_recusals_is_refused() -> None:
    with pytest.raises(ProcedureRefused) as refused:
        opened().form_team(members=["inv-1", "inv-3"], conflicts={"inv-3": "interest"})
    assert "回避" in refused.value.rule


def test_one_extension_of_ten_working_days_with_approval() -> None:
    record = investigating()
    extended = record.extend_investigation(
        approved_by="leader-1", reason="witness abroad", on=OPENED, calendar=CAL
    )
    assert extended.investigation_due == CAL.add_working_days(record.investigation_due, 10).due
    with pytest.raises(ProcedureRefused, match="already extended") as refused:
        extended.extend_investigation(
            approved_by="leader-1", reason="again", on=OPENED, calendar=CAL
        )
    assert "8" in refused.value.rule


def test_steps_out_of_order_are_refused_with_the_rule() -> None:
    with pytest.raises(ProcedureRefused) as refused:
        opened().record_statement(
            subject_key=HANDLER.key, text="x", declined=False, recorded_by="inv-1", on=OPENED
        )
    assert refused.value.rule.startswith("003 问责程序 5")
    with pytest.raises(ProcedureRefused):
        investigating().serve(on=OPENED, calendar=CAL)
    with pytest.raises(ProcedureRefused):
        reported().appeal(subject_key=HANDLER.key, on=OPENED, calendar=CAL)


def test_no_report_and_no_decision_without_the_heard_defence() -> None:
    with pytest.raises(ProcedureRefused, match="not yet heard") as refused:
        investigating().submit_report(
            facts="f", conclusion="c", proposals=[serious()], submitted_by="inv-1", on=OPENED
        )
    assert refused.value.rule == "003 问责程序 7 (听取陈述和申辩)"
    assert refused.value.errors[0]["field"] == "statements"


def test_a_subject_who_declined_to_speak_was_heard() -> None:
    record = investigating().record_statement(
        subject_key=HANDLER.key, text=None, declined=True, recorded_by="inv-1", on=OPENED
    )
    assert record.heard() == {HANDLER.key}


def test_a_sanction_outside_its_tier_is_refused() -> None:
    with pytest.raises(ProcedureRefused, match="not of the serious tier") as refused:
        reported().decide(
            decisions=[decision(Severity.SERIOUS, SanctionCode.ADMONISHMENT_TALK)],
            decided_by="committee",
            on=OPENED,
            calendar=CAL,
        )
    assert "问责方式" in refused.value.rule
    with pytest.raises(ProcedureRefused, match="tier very_serious is not allowed"):
        reported().decide(
            decisions=[decision(Severity.VERY_SERIOUS, SanctionCode.ORDERED_TO_RESIGN)],
            decided_by="committee",
            on=OPENED,
            calendar=CAL,
        )


def test_the_decision_is_never_heavier_than_the_proposal_made_after_the_defence() -> None:
    proposal = serious(
        circumstances=(Circumstance.ADMITTED_AND_CORRECTED,),
        severity=Severity.MINOR,
        sanctions=(SanctionCode.WRITTEN_SELF_CRITICISM,),
    )
    record = reported(proposal)
    with pytest.raises(ProcedureRefused) as refused:
        record.decide(
            decisions=[decision(Severity.SERIOUS, SanctionCode.REASSIGNMENT)],
            decided_by="committee",
            on=OPENED,
            calendar=CAL,
        )
    # Lighter circumstances allow only minor or exemption: refused on the tier itself.
    assert refused.value.rule
    exempted = record.decide(
        decisions=[Decision(subject=HANDLER, outcome=DecisionOutcome.EXEMPTED)],
        decided_by="committee",
        on=OPENED,
        calendar=CAL,
    )
    assert exempted.stage is Stage.DECIDED


def test_service_and_appeal_clocks_and_the_appeal_window() -> None:
    record = decided()
    assert record.service_due == CAL.add_working_days(date(2026, 10, 12), 10).due
    assert open_deadlines(record) == [(AccountabilityStep.SERVICE, "-", record.service_due)]
    record = record.serve(on=date(2026, 10, 13), calendar=CAL)
    assert record.appeal_due == CAL.add_working_days(date(2026, 10, 13), 15).due
    assert open_deadlines(record) == []

    late = CAL.add_working_days(record.appeal_due, 1).due
    with pytest.raises(ProcedureRefused, match="window closed") as refused:
        record.appeal(subject_key=HANDLER.key, on=late, calendar=CAL)
    assert refused.value.rule.startswith("003 问责程序 10")

    appealed = record.appeal(subject_key=HANDLER.key, on=record.appeal_due, calendar=CAL)
    lodged = appealed.appeal_of(HANDLER.key)
    assert lodged is not None
    assert lodged.decision_due == CAL.add_working_days(record.appeal_due, 30).due
    # An appeal does not suspend the decision.
    assert appealed.decision_for(HANDLER.key).sanctions == (SanctionCode.CIRCULATED_CRITICISM,)
    assert open_deadlines(appealed) == [
        (AccountabilityStep.APPEAL_DECISION, HANDLER.key, lodged.decision_due)
    ]
    with pytest.raises(ProcedureRefused, match="already appealed"):
        appealed.appeal(subject_key=HANDLER.key, on=record.appeal_due, calendar=CAL)


def test_a_wrong_decision_is_corrected_on_appeal_and_never_made_heavier() -> None:
    appealed = served().appeal(subject_key=HANDLER.key, on=date(2026, 10, 14), calendar=CAL)
    with pytest.raises(ProcedureRefused):
        appealed.decide_appeal(
            subject_key=HANDLER.key,
            outcome=AppealOutcome.AMENDED,
            amended=decision(Severity.VERY_SERIOUS, SanctionCode.DISMISSAL_PROPOSED),
            reason="worse",
            on=date(2026, 10, 20),
        )
    revoked = appealed.decide_appeal(
        subject_key=HANDLER.key,
        outcome=AppealOutcome.REVOKED,
        amended=None,
        reason="the delay was the superior's order",
        on=date(2026, 10, 20),
    )
    assert revoked.decision_for(HANDLER.key).outcome is DecisionOutcome.NOT_RESPONSIBLE
    assert revoked.corrections[0].sanctions == (SanctionCode.CIRCULATED_CRITICISM,)
    assert open_deadlines(revoked) == []


def test_a_unit_is_answerable_by_circulated_criticism_only() -> None:
    record = heard(investigating(HANDLER, UNIT))
    with pytest.raises(ProcedureRefused, match="circulated criticism only"):
        record.submit_report(
            facts="f",
            conclusion="c",
            proposals=[serious(), serious(UNIT, sanctions=(SanctionCode.REASSIGNMENT,))],
            submitted_by="inv-1",
            on=OPENED,
        )
    with pytest.raises(ProcedureRefused, match="exactly once"):
        record.submit_report(
            facts="f", conclusion="c", proposals=[serious()], submitted_by="inv-1", on=OPENED
        )
