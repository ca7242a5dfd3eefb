"""The parts of an accountability case's record, and the procedure's refusal.

Value objects only; :mod:`huiyin_accountability.domain.procedure` holds the record and the
steps that change it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from huiyin_accountability.domain.sanctions import Circumstance
from huiyin_shared.contracts.events.accountability import (
    AppealOutcome,
    DecisionOutcome,
    SanctionCode,
    Severity,
    SubjectKind,
)
from huiyin_shared.errors import RuleViolation

RULE_ORDER = "003 问责程序 5–9 (立案 → 调查 → 陈述申辩 → 报告 → 决定 → 送达)"
RULE_RECUSAL = "003 问责程序 13 (利害关系回避)"
RULE_EXTENSION = "003 问责程序 8 (经批准可延长10个工作日, 一次)"
RULE_DEFENCE = "003 问责程序 7 (听取陈述和申辩)"
RULE_NOT_HEAVIER = "003 问责程序 7 (不得因申辩而从重)"
RULE_APPEAL_WINDOW = "003 问责程序 10 (收到决定之日起15个工作日内申诉)"
RULE_APPEAL = "003 问责程序 10–11 (申诉, 复核)"


class ProcedureRefused(RuleViolation):
    """A command the procedure refuses; ``rule`` names the article. Nothing was changed."""

    slug = "procedure-refused"
    title = "Refused by the accountability procedure"

    def __init__(self, message: str, *, rule: str, field: str | None = None) -> None:
        error = {"field": field or "procedure", "message": f"{message} [{rule}]", "type": "rule"}
        super().__init__(f"{message} (rule: {rule})", errors=[error])
        self.rule = rule
        self.field = field


class Stage(StrEnum):
    OPENED = "opened"
    INVESTIGATING = "investigating"
    REPORTED = "reported"
    DECIDED = "decided"
    SERVED = "served"


class Part(BaseModel):
    """A part of the record: immutable, and strict about its fields (it is also API input)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Subject(Part):
    kind: SubjectKind
    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.id}"


class Recusal(Part):
    member: str
    reason: str


class Extension(Part):
    approved_by: str
    reason: str
    on: date
    new_due: date


class Statement(Part):
    subject_key: str
    text: str | None
    declined: bool
    recorded_by: str
    on: date


class Proposal(Part):
    subject: Subject
    outcome: DecisionOutcome
    base_severity: Severity
    circumstances: tuple[Circumstance, ...] = ()
    severity: Severity | None = None
    sanctions: tuple[SanctionCode, ...] = ()
    judicial_referral_flagged: bool = False
    judicial_referral_note: str | None = None


class Report(Part):
    facts: str
    conclusion: str
    proposals: tuple[Proposal, ...]
    submitted_by: str
    on: date


class Decision(Part):
    subject: Subject
    outcome: DecisionOutcome
    severity: Severity | None = None
    sanctions: tuple[SanctionCode, ...] = ()


class Appeal(Part):
    subject_key: str
    on: date
    decision_due: date
    outcome: AppealOutcome | None = None
    decided_on: date | None = None
    reason: str | None = None
