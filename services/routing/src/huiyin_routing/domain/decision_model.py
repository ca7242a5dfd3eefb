"""What a routing decision is: its outcome, the candidates considered, the escalation
ladder, and the configurable policy the rules read (see :mod:`.decision` for the rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from huiyin_routing.domain.registry import Organisation
from huiyin_shared.contracts.events.common import DeadlineClass, PetitionKind, RoutingMode

MAX_EVENT_REASONS = 20
MAX_REASON_CHARS = 500

STATUTORY_AUTHORITIES: Mapping[str, str] = {
    "litigation": "有管辖权的人民法院（依法通过诉讼解决）",
    "arbitration": "有管辖权的仲裁机构（依法通过仲裁解决）",
    "reconsideration": "有管辖权的行政复议机关（依法申请行政复议）",
    "judicial": "有管辖权的人民法院",
    "procuratorial": "有管辖权的人民检察院",
    "legislative": "有关人民代表大会常务委员会",
}
"""Subject areas that belong to another authority by law, and whom to name when the
registry knows no such authority for the place (000 信访工作管理制度 第九条)."""


@dataclass(frozen=True)
class RoutingPolicy:
    """The configurable parts of the rules (the defaults are the stricter reading)."""

    transfer_kinds: frozenset[PetitionKind] = frozenset(
        {PetitionKind.SUGGESTION, PetitionKind.INQUIRY}
    )
    """Kinds transferred without a result report; every other kind is assigned with one."""
    statutory_authorities: Mapping[str, str] = field(
        default_factory=lambda: dict(STATUTORY_AUTHORITIES)
    )


class Outcome(StrEnum):
    ROUTE = "route"
    REFER_OUT = "refer_out"
    NO_COMPETENT_UNIT = "no_competent_unit"


class Verdict(StrEnum):
    LEAD = "lead"
    PARTICIPATING = "participating"
    AUTHORITY = "authority"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Candidate:
    unit_id: str
    unit_name: str
    division_code: str
    verdict: Verdict
    reason: str


@dataclass(frozen=True, slots=True)
class Escalation:
    unit_head_id: str | None
    leader_in_charge_id: str | None
    top_leader_id: str | None
    superior: Organisation | None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    registry_version: int
    rules: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()
    recusals: tuple[str, ...] = ()
    mode: RoutingMode | None = None
    lead: Organisation | None = None
    participants: tuple[Organisation, ...] = ()
    deadline_class: DeadlineClass | None = None
    authority: str | None = None
    escalation: Escalation | None = None

    def explanation(self) -> dict[str, Any]:
        """Everything the decision considered, as stored and shown by the explain endpoint."""
        escalation = self.escalation
        return {
            "outcome": self.outcome.value,
            "registry_version": self.registry_version,
            "rules": list(self.rules),
            "recusals": list(self.recusals),
            "candidates": [
                {
                    "unit_id": c.unit_id,
                    "unit_name": c.unit_name,
                    "division_code": c.division_code,
                    "verdict": c.verdict.value,
                    "reason": c.reason,
                }
                for c in self.candidates
            ],
            "escalation": None
            if escalation is None
            else {
                "unit_head_id": escalation.unit_head_id,
                "leader_in_charge_id": escalation.leader_in_charge_id,
                "top_leader_id": escalation.top_leader_id,
                "superior_unit_id": None
                if escalation.superior is None
                else escalation.superior.unit_id,
            },
        }

    def reasons(self) -> list[str]:
        """At most 20 short reasons for an event; the explain endpoint shows them all."""
        lines = [*self.rules, *self.recusals]
        rejected = [c for c in self.candidates if c.verdict is Verdict.REJECTED]
        lines.extend(f"rejected {c.unit_name} ({c.unit_id}): {c.reason}" for c in rejected)
        if len(lines) > MAX_EVENT_REASONS:
            hidden = len(lines) - (MAX_EVENT_REASONS - 1)
            lines = [*lines[: MAX_EVENT_REASONS - 1], f"… {hidden} more reasons: see explain"]
        return [line[:MAX_REASON_CHARS] for line in lines] or ["no reason recorded"]
