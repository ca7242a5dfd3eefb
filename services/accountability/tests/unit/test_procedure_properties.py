"""Any sequence of procedure commands, accepted or refused, keeps the procedure's rules."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from huiyin_accountability.domain.procedure import (
    CaseRecord,
    Decision,
    ProcedureRefused,
    Proposal,
    Stage,
    Subject,
)
from huiyin_accountability.domain.sanctions import Circumstance, allowed_outcomes, heavier_than
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.accountability import (
    SANCTION_SEVERITY,
    AppealOutcome,
    DecisionOutcome,
    SanctionCode,
    Severity,
    SubjectKind,
)

CAL = BusinessCalendar()
SUBJECTS = [Subject(kind=SubjectKind.STAFF, id="h-1"), Subject(kind=SubjectKind.STAFF, id="r-1")]
START = date(2026, 9, 21)

severities = st.sampled_from(list(Severity))
codes = st.sampled_from(list(SanctionCode))


@st.composite
def decisions(draw: st.DrawFn, subject: Subject) -> Decision:
    outcome = draw(st.sampled_from(list(DecisionOutcome)))
    if outcome is not DecisionOutcome.SANCTIONED:
        return Decision(subject=subject, outcome=outcome)
    return Decision(
        subject=subject,
        outcome=outcome,
        severity=draw(severities),
        sanctions=tuple(draw(st.lists(codes, min_size=1, max_size=2))),
    )


@st.composite
def proposals(draw: st.DrawFn, subject: Subject) -> Proposal:
    decided = draw(decisions(subject))
    return Proposal(
        subject=subject,
        outcome=decided.outcome,
        severity=decided.severity,
        sanctions=decided.sanctions,
        base_severity=draw(severities),
        circumstances=tuple(draw(st.lists(st.sampled_from(list(Circumstance)), max_size=2))),
    )


Command = Callable[[CaseRecord, date], CaseRecord]
"""One step of the procedure, applied on a given day (it may be refused)."""


def sound_report(base: Severity, code: SanctionCode) -> Command:
    sanction = (
        code
        if SANCTION_SEVERITY[code] is base
        else next(c for c in SanctionCode if SANCTION_SEVERITY[c] is base)
    )
    proposals_ = [
        Proposal(
            subject=s,
            outcome=DecisionOutcome.SANCTIONED,
            base_severity=base,
            severity=base,
            sanctions=(sanction,),
        )
        for s in SUBJECTS
    ]
    return lambda r, d: r.submit_report(
        facts="f", conclusion="c", proposals=proposals_, submitted_by="i-1", on=d
    )


def decide_as_proposed(record: CaseRecord, day: date) -> CaseRecord:
    proposed = record.report.proposals if record.report else ()
    as_proposed = [
        Decision(subject=p.subject, outcome=p.outcome, severity=p.severity, sanctions=p.sanctions)
        for p in proposed
    ]
    return record.decide(decisions=as_proposed, decided_by="c", on=day, calendar=CAL)


def decide_appeal(subject: Subject, outcome: AppealOutcome, amended: Decision) -> Command:
    amendment = amended.model_copy(update={"subject": subject})
    return lambda r, d: r.decide_appeal(
        subject_key=subject.key,
        outcome=outcome,
        amended=amendment if outcome is AppealOutcome.AMENDED else None,
        reason="r",
        on=d,
    )


def commands() -> st.SearchStrategy[Command]:
    subject = st.sampled_from(SUBJECTS)
    members = st.lists(st.sampled_from(["i-1", "i-2", "i-3", "h-1"]))
    later = st.integers(0, 40).map(lambda n: timedelta(days=n))
    return st.one_of(
        members.map(lambda m: lambda r, d: r.form_team(members=m, conflicts={"i-3": "related"})),
        later.map(
            lambda t: (
                lambda r, d: r.extend_investigation(
                    approved_by="l-1", reason="r", on=d + t, calendar=CAL
                )
            )
        ),
        subject.map(
            lambda s: (
                lambda r, d: r.record_statement(
                    subject_key=s.key, text="t", declined=False, recorded_by="i-1", on=d
                )
            )
        ),
        st.tuples(*(proposals(s) for s in SUBJECTS)).map(
            lambda ps: (
                lambda r, d: r.submit_report(
                    facts="f", conclusion="c", proposals=list(ps), submitted_by="i-1", on=d
                )
            )
        ),
        st.builds(sound_report, severities, codes),
        st.just(decide_as_proposed),
        st.tuples(*(decisions(s) for s in SUBJECTS)).map(
            lambda ds: lambda r, d: r.decide(decisions=list(ds), decided_by="c", on=d, calendar=CAL)
        ),
        later.map(lambda t: lambda r, d: r.serve(on=d + t, calendar=CAL)),
        st.tuples(subject, later).map(
            lambda a: lambda r, d: r.appeal(subject_key=a[0].key, on=d + a[1], calendar=CAL)
        ),
        st.builds(
            decide_appeal, subject, st.sampled_from(list(AppealOutcome)), decisions(SUBJECTS[0])
        ),
    )


def check(record: CaseRecord) -> None:
    heard = record.heard()
    if record.stage in (Stage.REPORTED, Stage.DECIDED, Stage.SERVED):
        assert heard == {s.key for s in record.subjects}, "a report only after every defence"
        assert record.report is not None
    if record.stage in (Stage.DECIDED, Stage.SERVED):
        assert record.report is not None
        proposals_ = {p.subject.key: p for p in record.report.proposals}
        for decision in record.decisions:
            proposal = proposals_[decision.subject.key]
            assert not heavier_than(decision.severity, proposal.severity)
            allowed = allowed_outcomes(proposal.base_severity, proposal.circumstances)
            if (
                decision.outcome is DecisionOutcome.SANCTIONED
                and decision.subject.kind is SubjectKind.STAFF
            ):
                assert decision.severity in allowed.tiers
                assert all(SANCTION_SEVERITY[c] is decision.severity for c in decision.sanctions)
    for appeal in record.appeals:
        assert record.appeal_due is not None
        assert appeal.on <= record.appeal_due, "no appeal out of time"
    assert len(record.team) >= 2 or record.stage is Stage.OPENED
    assert "i-3" not in record.team
    assert "h-1" not in record.team


@settings(max_examples=300, deadline=None)
@given(st.lists(commands(), max_size=25))
def test_every_reachable_record_keeps_the_rules(sequence: list[Command]) -> None:
    # The investigation usually starts properly, so the later steps get exercised.
    opening: list[Command] = [
        lambda r, d: r.form_team(members=["i-1", "i-2", "i-3"], conflicts={"i-3": "related"}),
        *(
            (
                lambda r, d, s=s: r.record_statement(
                    subject_key=s.key, text="t", declined=False, recorded_by="i-1", on=d
                )
            )
            for s in SUBJECTS
        ),
    ]
    record = CaseRecord.open(
        case_id=uuid.uuid4(), matter_id=uuid.uuid4(), subjects=SUBJECTS, on=START, calendar=CAL
    )
    day = START
    rules: list[str] = []
    for command in [*opening, *sequence]:
        day += timedelta(days=1)
        try:
            changed = command(record, day)
        except ProcedureRefused as refused:
            rules.append(refused.rule)
            continue
        check(changed)
        record = changed
    assert all(rule.startswith(("000", "001", "003")) for rule in rules), "each refusal cites"
