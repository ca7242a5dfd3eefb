"""The accountability procedure as a pure state machine (003 问责程序 5–13; domain §7.5).

Case opened → investigation team formed (members with a conflict recused) → investigation,
10 working days, extendable once by 10 with approval → each subject's statement and defence
recorded → report (facts, conclusion, proposal per subject) → decision → served within 10
working days → appeal within 15 working days of service → appeal decided within 30 working
days. An appeal does not suspend the decision; an appeal upheld in part or in full corrects
it (never making it heavier).

Every command returns a new :class:`CaseRecord` or raises :class:`ProcedureRefused` naming
the rule; nothing is changed on refusal. Dates are the office's local dates; periods are
counted on the business calendar. Lateness is not refused (the step still has to happen):
it is tracked as an overdue deadline (:func:`open_deadlines`).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Self

from pydantic import Field

from huiyin_accountability.domain.case_parts import (
    RULE_APPEAL,
    RULE_APPEAL_WINDOW,
    RULE_DEFENCE,
    RULE_EXTENSION,
    RULE_NOT_HEAVIER,
    RULE_ORDER,
    RULE_RECUSAL,
    Appeal,
    Decision,
    Extension,
    Part,
    ProcedureRefused,
    Proposal,
    Recusal,
    Report,
    Stage,
    Statement,
    Subject,
)
from huiyin_accountability.domain.sanctions import (
    Allowed,
    SanctionError,
    allowed_outcomes,
    check_decision,
    heavier_than,
)
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.accountability import (
    AccountabilityStep,
    AppealOutcome,
    DecisionOutcome,
    SanctionCode,
    Severity,
    SubjectKind,
)

__all__ = [
    "CaseRecord",
    "Decision",
    "ProcedureRefused",
    "Proposal",
    "Stage",
    "Subject",
    "open_deadlines",
]

INVESTIGATION_DAYS = 10
EXTENSION_DAYS = 10
SERVICE_DAYS = 10
APPEAL_WINDOW_DAYS = 15
APPEAL_DECISION_DAYS = 30

MIN_TEAM = 2


class CaseRecord(Part):
    case_id: uuid.UUID
    matter_id: uuid.UUID
    subjects: tuple[Subject, ...]
    stage: Stage = Stage.OPENED
    opened_on: date
    investigation_due: date
    team: tuple[str, ...] = ()
    recusals: tuple[Recusal, ...] = ()
    extension: Extension | None = None
    statements: tuple[Statement, ...] = ()
    report: Report | None = None
    decisions: tuple[Decision, ...] = ()
    decided_by: str | None = None
    decided_on: date | None = None
    service_due: date | None = None
    served_on: date | None = None
    appeal_due: date | None = None
    appeals: tuple[Appeal, ...] = ()
    corrections: tuple[Decision, ...] = Field(
        default=(), description="Decisions as they stood before an appeal corrected them."
    )

    # -- reads ---------------------------------------------------------------------------

    def subject(self, key: str) -> Subject:
        for subject in self.subjects:
            if subject.key == key:
                return subject
        raise ProcedureRefused(
            f"{key} is not a subject of this case", rule=RULE_ORDER, field="subject"
        )

    def heard(self) -> set[str]:
        return {s.subject_key for s in self.statements}

    def decision_for(self, key: str) -> Decision:
        return next(d for d in self.decisions if d.subject.key == key)

    def appeal_of(self, key: str) -> Appeal | None:
        return next((a for a in self.appeals if a.subject_key == key), None)

    def _expect(self, *stages: Stage) -> None:
        if self.stage not in stages:
            wanted = " or ".join(s.value for s in stages)
            raise ProcedureRefused(
                f"the case is {self.stage.value}; this step needs it {wanted}", rule=RULE_ORDER
            )

    # -- commands ------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        case_id: uuid.UUID,
        matter_id: uuid.UUID,
        subjects: list[Subject],
        on: date,
        calendar: BusinessCalendar,
    ) -> Self:
        if not subjects:
            raise ProcedureRefused(
                "a case names at least one subject", rule=RULE_ORDER, field="subjects"
            )
        due = calendar.add_working_days(on, INVESTIGATION_DAYS).due
        return cls(
            case_id=case_id,
            matter_id=matter_id,
            subjects=tuple(subjects),
            opened_on=on,
            investigation_due=due,
        )

    def form_team(self, *, members: list[str], conflicts: dict[str, str]) -> Self:
        """Form the investigation team; members with a conflict, and any subject, are recused."""
        self._expect(Stage.OPENED)
        subject_ids = {s.id for s in self.subjects if s.kind is SubjectKind.STAFF}
        recusals = [Recusal(member=m, reason=conflicts[m]) for m in members if m in conflicts]
        recusals += [
            Recusal(member=m, reason="subject of the case")
            for m in members
            if m in subject_ids and m not in conflicts
        ]
        recused = {r.member for r in recusals}
        team = tuple(dict.fromkeys(m for m in members if m not in recused))
        if len(team) < MIN_TEAM:
            raise ProcedureRefused(
                f"after recusals the team has {len(team)} member(s); at least {MIN_TEAM} needed",
                rule=RULE_RECUSAL,
                field="members",
            )
        return self.model_copy(
            update={"team": team, "recusals": tuple(recusals), "stage": Stage.INVESTIGATING}
        )

    def extend_investigation(
        self, *, approved_by: str, reason: str, on: date, calendar: BusinessCalendar
    ) -> Self:
        self._expect(Stage.INVESTIGATING)
        if self.extension is not None:
            raise ProcedureRefused(
                "the investigation was already extended once", rule=RULE_EXTENSION
            )
        if on > self.investigation_due:
            raise ProcedureRefused(
                "an extension is approved before the investigation is due", rule=RULE_EXTENSION
            )
        due = calendar.add_working_days(self.investigation_due, EXTENSION_DAYS).due
        extension = Extension(approved_by=approved_by, reason=reason, on=on, new_due=due)
        return self.model_copy(update={"extension": extension, "investigation_due": due})

    def record_statement(
        self, *, subject_key: str, text: str | None, declined: bool, recorded_by: str, on: date
    ) -> Self:
        """Record what the subject said in their defence (or that they declined to)."""
        self._expect(Stage.INVESTIGATING)
        self.subject(subject_key)
        if not declined and not text:
            raise ProcedureRefused(
                "a statement has its text, unless the subject declined",
                rule=RULE_DEFENCE,
                field="text",
            )
        statement = Statement(
            subject_key=subject_key, text=text, declined=declined, recorded_by=recorded_by, on=on
        )
        kept = tuple(s for s in self.statements if s.subject_key != subject_key)
        return self.model_copy(update={"statements": (*kept, statement)})

    def submit_report(
        self,
        *,
        facts: str,
        conclusion: str,
        proposals: list[Proposal],
        submitted_by: str,
        on: date,
    ) -> Self:
        self._expect(Stage.INVESTIGATING)
        self._all_heard()
        self._covers_subjects([p.subject for p in proposals], "proposals")
        for proposal in proposals:
            allowed = allowed_outcomes(proposal.base_severity, proposal.circumstances)
            _check(
                proposal.subject,
                proposal.outcome,
                proposal.severity,
                proposal.sanctions,
                allowed,
                field="proposals",
            )
        report = Report(
            facts=facts,
            conclusion=conclusion,
            proposals=tuple(proposals),
            submitted_by=submitted_by,
            on=on,
        )
        return self.model_copy(update={"report": report, "stage": Stage.REPORTED})

    def decide(
        self, *, decisions: list[Decision], decided_by: str, on: date, calendar: BusinessCalendar
    ) -> Self:
        self._expect(Stage.REPORTED)
        self._all_heard()
        assert self.report is not None
        self._covers_subjects([d.subject for d in decisions], "decisions")
        proposals = {p.subject.key: p for p in self.report.proposals}
        for decision in decisions:
            proposal = proposals[decision.subject.key]
            allowed = allowed_outcomes(proposal.base_severity, proposal.circumstances)
            _check(
                decision.subject,
                decision.outcome,
                decision.severity,
                decision.sanctions,
                allowed,
                field="decisions",
            )
            if heavier_than(decision.severity, proposal.severity):
                raise ProcedureRefused(
                    f"{decision.subject.key}: the decision is heavier than the report proposed "
                    "after hearing the defence",
                    rule=RULE_NOT_HEAVIER,
                    field="decisions",
                )
        due = calendar.add_working_days(on, SERVICE_DAYS).due
        return self.model_copy(
            update={
                "decisions": tuple(decisions),
                "decided_by": decided_by,
                "decided_on": on,
                "service_due": due,
                "stage": Stage.DECIDED,
            }
        )

    def serve(self, *, on: date, calendar: BusinessCalendar) -> Self:
        self._expect(Stage.DECIDED)
        due = calendar.add_working_days(on, APPEAL_WINDOW_DAYS).due
        return self.model_copy(update={"served_on": on, "appeal_due": due, "stage": Stage.SERVED})

    def appeal(self, *, subject_key: str, on: date, calendar: BusinessCalendar) -> Self:
        """A subject appeals; the decision stays in force meanwhile."""
        self._expect(Stage.SERVED)
        self.subject(subject_key)
        assert self.appeal_due is not None
        if on > self.appeal_due:
            raise ProcedureRefused(
                f"the appeal window closed on {self.appeal_due.isoformat()}",
                rule=RULE_APPEAL_WINDOW,
                field="appealed_on",
            )
        if self.appeal_of(subject_key) is not None:
            raise ProcedureRefused(f"{subject_key} has already appealed", rule=RULE_APPEAL)
        if self.decision_for(subject_key).outcome is DecisionOutcome.NOT_RESPONSIBLE:
            raise ProcedureRefused(
                f"{subject_key} was found not responsible: nothing to appeal", rule=RULE_APPEAL
            )
        due = calendar.add_working_days(on, APPEAL_DECISION_DAYS).due
        appeal = Appeal(subject_key=subject_key, on=on, decision_due=due)
        return self.model_copy(update={"appeals": (*self.appeals, appeal)})

    def decide_appeal(
        self,
        *,
        subject_key: str,
        outcome: AppealOutcome,
        amended: Decision | None,
        reason: str,
        on: date,
    ) -> Self:
        """Decide an appeal: upheld, amended (never heavier) or revoked (wrong decision)."""
        appeal = self.appeal_of(subject_key)
        if appeal is None or appeal.outcome is not None:
            raise ProcedureRefused(f"{subject_key} has no pending appeal", rule=RULE_APPEAL)
        original = self.decision_for(subject_key)
        if (outcome is AppealOutcome.AMENDED) != (amended is not None):
            raise ProcedureRefused(
                "exactly an amended outcome carries the amended decision",
                rule=RULE_APPEAL,
                field="amended_decision",
            )
        replacement: Decision | None = None
        if outcome is AppealOutcome.REVOKED:
            replacement = Decision(
                subject=original.subject, outcome=DecisionOutcome.NOT_RESPONSIBLE
            )
        elif amended is not None:
            if amended.subject.key != subject_key:
                raise ProcedureRefused(
                    "the amendment is for another subject",
                    rule=RULE_APPEAL,
                    field="amended_decision",
                )
            assert self.report is not None
            proposal = next(p for p in self.report.proposals if p.subject.key == subject_key)
            allowed = allowed_outcomes(proposal.base_severity, proposal.circumstances)
            _check(
                amended.subject,
                amended.outcome,
                amended.severity,
                amended.sanctions,
                allowed,
                field="amended_decision",
            )
            if heavier_than(amended.severity, original.severity):
                raise ProcedureRefused(
                    "an appeal never makes the decision heavier",
                    rule=RULE_NOT_HEAVIER,
                    field="amended_decision",
                )
            replacement = amended
        decided = appeal.model_copy(update={"outcome": outcome, "decided_on": on, "reason": reason})
        update: dict[str, object] = {
            "appeals": tuple(decided if a is appeal else a for a in self.appeals)
        }
        if replacement is not None:
            update["decisions"] = tuple(
                replacement if d.subject.key == subject_key else d for d in self.decisions
            )
            update["corrections"] = (*self.corrections, original)
        return self.model_copy(update=update)

    # -- checks --------------------------------------------------------------------------

    def _all_heard(self) -> None:
        missing = [s.key for s in self.subjects if s.key not in self.heard()]
        if missing:
            raise ProcedureRefused(
                "statement and defence not yet heard from " + ", ".join(missing),
                rule=RULE_DEFENCE,
                field="statements",
            )

    def _covers_subjects(self, given: list[Subject], field: str) -> None:
        keys = [s.key for s in given]
        if sorted(keys) != sorted(s.key for s in self.subjects):
            raise ProcedureRefused(
                f"{field} must name each subject of the case exactly once",
                rule=RULE_ORDER,
                field=field,
            )


def _check(
    subject: Subject,
    outcome: DecisionOutcome,
    severity: Severity | None,
    sanctions: tuple[SanctionCode, ...],
    allowed: Allowed,
    *,
    field: str,
) -> None:
    try:
        check_decision(
            subject_kind=subject.kind,
            outcome=outcome,
            severity=severity,
            sanctions=sanctions,
            allowed=allowed,
        )
    except SanctionError as exc:
        raise ProcedureRefused(f"{subject.key}: {exc}", rule=exc.rule, field=field) from None


def open_deadlines(record: CaseRecord) -> list[tuple[AccountabilityStep, str, date]]:
    """The procedure's running clocks: (step, subject key or "-", due date)."""
    open_: list[tuple[AccountabilityStep, str, date]] = []
    if record.stage in (Stage.OPENED, Stage.INVESTIGATING):
        open_.append((AccountabilityStep.INVESTIGATION, "-", record.investigation_due))
    if record.stage is Stage.DECIDED and record.service_due is not None:
        open_.append((AccountabilityStep.SERVICE, "-", record.service_due))
    for appeal in record.appeals:
        if appeal.outcome is None:
            open_.append(
                (AccountabilityStep.APPEAL_DECISION, appeal.subject_key, appeal.decision_due)
            )
    return open_
