"""Sanctions by tier (domain §7.4) and the circumstances that move the tier (§7.3).

A report proposes a **base tier** for each subject and lists the circumstances found; the
tier that may then be decided follows from them:

* heavier circumstances (003 问责 4; 000 第十二条) move it one tier up (very serious stays);
* lighter ones (000 第十一条) move it one tier down, or to exemption;
* both kinds together offset each other: the base tier stands;
* "had formally advised against it and was overruled" (000 第十一条5) means the subject is
  not answerable at all: the superior who overruled is.

The subject's own statement and defence is not a circumstance: defending oneself never makes
a sanction heavier (003 问责程序 7), so there is no way to enter it as one.

A unit is answerable by circulated criticism only (001 责任追究制度 一.1). Suspected crimes
go to the judicial organs: a report may flag that, for people to decide; the system never does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from huiyin_shared.contracts.events.accountability import (
    SANCTION_SEVERITY,
    DecisionOutcome,
    SanctionCode,
    Severity,
    SubjectKind,
)

TIERS: tuple[Severity, ...] = (Severity.MINOR, Severity.SERIOUS, Severity.VERY_SERIOUS)

RULE_TIER = "003 问责方式 3 (情节 → 问责方式)"
RULE_CIRCUMSTANCES = "003 问责 4; 000 第十一–十二条"
RULE_UNIT = "001 责任追究制度 一.1 (单位: 通报批评)"
RULE_OVERRULED = "000 第十一条5 (已提出建议而未被采纳的, 不追究当事人责任)"


class Circumstance(StrEnum):
    # lighter (000 第十一条; 003)
    MINOR_WITHOUT_CONSEQUENCE = "minor_without_consequence"
    ADMITTED_AND_CORRECTED = "admitted_and_corrected"
    ACCIDENT_OR_NATURAL_CAUSE = "accident_or_natural_cause"
    ADVISED_AGAINST_AND_OVERRULED = "advised_against_and_overruled"
    # heavier (003 问责 4; 000 第十二条)
    REPEATED_WITHIN_ONE_YEAR = "repeated_within_one_year"
    OBSTRUCTED_INVESTIGATION = "obstructed_investigation"
    RETALIATED_AGAINST_REPORTER = "retaliated_against_reporter"
    TRIED_TO_BUY_INVESTIGATORS = "tried_to_buy_investigators"
    REPEATED_AND_UNREPENTANT = "repeated_and_unrepentant"
    NO_REMEDY_AFTERWARDS = "no_remedy_afterwards"


LIGHTER = frozenset(
    {
        Circumstance.MINOR_WITHOUT_CONSEQUENCE,
        Circumstance.ADMITTED_AND_CORRECTED,
        Circumstance.ACCIDENT_OR_NATURAL_CAUSE,
    }
)
HEAVIER = frozenset(
    {
        Circumstance.REPEATED_WITHIN_ONE_YEAR,
        Circumstance.OBSTRUCTED_INVESTIGATION,
        Circumstance.RETALIATED_AGAINST_REPORTER,
        Circumstance.TRIED_TO_BUY_INVESTIGATORS,
        Circumstance.REPEATED_AND_UNREPENTANT,
        Circumstance.NO_REMEDY_AFTERWARDS,
    }
)


class SanctionError(ValueError):
    """A sanction or outcome the rules do not allow; ``rule`` names the article."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class Allowed:
    """What may be decided for one subject: the tiers, and whether exemption is open."""

    tiers: frozenset[Severity]
    exemption: bool
    answerable: bool
    explanation: str


def allowed_outcomes(base: Severity, circumstances: Iterable[Circumstance]) -> Allowed:
    found = set(circumstances)
    if Circumstance.ADVISED_AGAINST_AND_OVERRULED in found:
        return Allowed(
            frozenset(),
            exemption=False,
            answerable=False,
            explanation="advised against it and was overruled: not answerable",
        )
    heavier, lighter = bool(found & HEAVIER), bool(found & LIGHTER)
    index = TIERS.index(base)
    if heavier and not lighter:
        tier = TIERS[min(index + 1, len(TIERS) - 1)]
        return Allowed(
            frozenset({tier}),
            exemption=False,
            answerable=True,
            explanation=f"heavier circumstances: {base.value} → {tier.value}",
        )
    if lighter and not heavier:
        lower = frozenset({TIERS[index - 1]}) if index > 0 else frozenset()
        names = ", ".join(t.value for t in lower) or "none"
        return Allowed(
            lower,
            exemption=True,
            answerable=True,
            explanation=f"lighter circumstances: one tier down ({names}) or exemption",
        )
    note = "heavier and lighter circumstances offset" if heavier else "no circumstances"
    return Allowed(
        frozenset({base}), exemption=False, answerable=True, explanation=f"{note}: {base.value}"
    )


def check_decision(
    *,
    subject_kind: SubjectKind,
    outcome: DecisionOutcome,
    severity: Severity | None,
    sanctions: Iterable[SanctionCode],
    allowed: Allowed,
) -> None:
    """Refuse a decision outside what the circumstances allow (raises SanctionError)."""
    codes = list(sanctions)
    if outcome is DecisionOutcome.NOT_RESPONSIBLE:
        if codes or severity is not None:
            raise SanctionError("not responsible carries no sanction", rule=RULE_TIER)
        return
    if not allowed.answerable:
        raise SanctionError(
            f"the subject is not answerable ({allowed.explanation})", rule=RULE_OVERRULED
        )
    if outcome is DecisionOutcome.EXEMPTED:
        if codes or severity is not None:
            raise SanctionError("an exemption carries no sanction", rule=RULE_TIER)
        if not allowed.exemption:
            raise SanctionError(
                f"exemption needs lighter circumstances ({allowed.explanation})",
                rule=RULE_CIRCUMSTANCES,
            )
        return
    if severity is None or not codes:
        raise SanctionError("a sanction names its tier and sanctions", rule=RULE_TIER)
    if subject_kind is SubjectKind.UNIT:
        if set(codes) != {SanctionCode.CIRCULATED_CRITICISM}:
            raise SanctionError("a unit is answerable by circulated criticism only", rule=RULE_UNIT)
        return
    if severity not in allowed.tiers:
        raise SanctionError(
            f"tier {severity.value} is not allowed here ({allowed.explanation})",
            rule=RULE_CIRCUMSTANCES,
        )
    outside = [c.value for c in codes if SANCTION_SEVERITY[c] is not severity]
    if outside:
        raise SanctionError(
            f"sanctions {', '.join(outside)} are not of the {severity.value} tier", rule=RULE_TIER
        )


def heavier_than(a: Severity | None, b: Severity | None) -> bool:
    """Whether tier ``a`` is heavier than ``b`` (None, no sanction, is the lightest)."""

    def rank(tier: Severity | None) -> int:
        return -1 if tier is None else TIERS.index(tier)

    return rank(a) > rank(b)
