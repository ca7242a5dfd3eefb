"""A case's lifecycle (domain §3): which action is legal in which state, and what it leads to.

Pure rules: :func:`check` refuses an illegal action with the rule it breaks, and
:func:`next_status` names the state an allowed action leads to. Nothing here reads a
clock or a database, so every path is unit-tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from huiyin_shared.errors import RuleViolation

MAX_EXTENSION_DAYS = 30
"""An extension is at most 30 days (002 五.3; 003; 000 服务承诺办法)."""


class CaseStatus(StrEnum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    """Accepted by the unit, a handler named."""
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    """A hearing is running: the clocks stand still."""
    RESULT_SUBMITTED = "result_submitted"
    RESULT_APPROVED = "result_approved"
    CLOSED = "closed"
    UNDER_REVIEW = "under_review"
    """Closed, and the petitioner asked for review (复查) or re-review (复核)."""
    FINAL = "final"
    RETURNED = "returned"
    """Returned by the unit as not competent; routing sends the petition on."""


class Action(StrEnum):
    ACCEPT = "accept"
    RETURN_BY_UNIT = "return_by_unit"
    ADD_PROGRESS = "add_progress"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    PAUSE = "pause"
    RESUME = "resume"
    SUBMIT_RESULT = "submit_result"
    APPROVE_RESULT = "approve_result"
    RETURN_FOR_REDO = "return_for_redo"
    CLOSE = "close"
    RECORD_FEEDBACK = "record_feedback"
    OPEN_REVIEW = "open_review"
    MAKE_FINAL = "make_final"
    ISSUE_NOTICE = "issue_notice"
    REQUEST_OWNERSHIP = "request_ownership"
    ASSIGN_OWNERSHIP = "assign_ownership"


_OPEN = frozenset(
    {
        CaseStatus.ASSIGNED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.PAUSED,
        CaseStatus.RESULT_SUBMITTED,
        CaseStatus.RESULT_APPROVED,
    }
)
"""States in which the unit still owes something: the clocks run (or stand, when paused)."""

_HANDLING = frozenset({CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS})


@dataclass(frozen=True, slots=True)
class Rule:
    """Where an action is allowed, where it leads (None: the status stays), and why."""

    allowed_from: frozenset[CaseStatus]
    leads_to: CaseStatus | None
    slug: str
    text: str


RULES: Mapping[Action, Rule] = MappingProxyType(
    {
        Action.ACCEPT: Rule(
            frozenset({CaseStatus.ASSIGNED}),
            CaseStatus.ACCEPTED,
            "accept-only-when-assigned",
            "A unit accepts a case once, while it is assigned.",
        ),
        Action.RETURN_BY_UNIT: Rule(
            frozenset({CaseStatus.ASSIGNED, CaseStatus.ACCEPTED}),
            CaseStatus.RETURNED,
            "return-before-handling",
            "A unit that is not competent returns the case before handling it.",
        ),
        Action.ADD_PROGRESS: Rule(
            _HANDLING,
            CaseStatus.IN_PROGRESS,
            "progress-while-handling",
            "Progress is noted on a case the unit has accepted and not yet finished.",
        ),
        Action.REQUEST_EXTENSION: Rule(
            _HANDLING,
            None,
            "extension-while-handling",
            "An extension is requested while the case is being handled, before expiry.",
        ),
        Action.APPROVE_EXTENSION: Rule(
            _OPEN,
            None,
            "extension-decided-on-open-case",
            "An extension request is decided while the case is open.",
        ),
        Action.REFUSE_EXTENSION: Rule(
            _OPEN,
            None,
            "extension-decided-on-open-case",
            "An extension request is decided while the case is open.",
        ),
        Action.PAUSE: Rule(
            frozenset({CaseStatus.IN_PROGRESS}),
            CaseStatus.PAUSED,
            "pause-only-in-progress",
            "Only a case in progress is paused for a hearing (001 复查时限).",
        ),
        Action.RESUME: Rule(
            frozenset({CaseStatus.PAUSED}),
            CaseStatus.IN_PROGRESS,
            "resume-only-paused",
            "Only a paused case resumes.",
        ),
        Action.SUBMIT_RESULT: Rule(
            _HANDLING,
            CaseStatus.RESULT_SUBMITTED,
            "result-while-handling",
            "A result (handling opinion) is submitted on a case being handled.",
        ),
        Action.APPROVE_RESULT: Rule(
            frozenset({CaseStatus.RESULT_SUBMITTED}),
            CaseStatus.RESULT_APPROVED,
            "review-submitted-result",
            "Only a submitted result is reviewed (000 交办案件 四).",
        ),
        Action.RETURN_FOR_REDO: Rule(
            frozenset({CaseStatus.RESULT_SUBMITTED}),
            CaseStatus.IN_PROGRESS,
            "review-submitted-result",
            "Only a submitted result is reviewed (000 交办案件 四).",
        ),
        Action.CLOSE: Rule(
            frozenset({CaseStatus.RESULT_APPROVED}),
            CaseStatus.CLOSED,
            "close-after-approval",
            "A case is closed only after its result passed review (000 交办案件 四).",
        ),
        Action.RECORD_FEEDBACK: Rule(
            frozenset({CaseStatus.CLOSED}),
            None,
            "feedback-after-closure",
            "The petitioner rates a closed case.",
        ),
        Action.OPEN_REVIEW: Rule(
            frozenset({CaseStatus.CLOSED}),
            CaseStatus.UNDER_REVIEW,
            "review-of-closed-case",
            "Review (复查) and re-review (复核) are opened on a closed case.",
        ),
        Action.MAKE_FINAL: Rule(
            frozenset({CaseStatus.CLOSED}),
            CaseStatus.FINAL,
            "final-after-closure",
            "A matter becomes final after closure (satisfied, or re-review concluded).",
        ),
        Action.ISSUE_NOTICE: Rule(
            _OPEN,
            None,
            "supervise-open-case",
            "Supervision notices go to a case still open.",
        ),
        Action.REQUEST_OWNERSHIP: Rule(
            _OPEN,
            None,
            "ownership-of-open-case",
            "A leader takes ownership (包案) of a case still open.",
        ),
        Action.ASSIGN_OWNERSHIP: Rule(
            _OPEN,
            None,
            "ownership-of-open-case",
            "A leader takes ownership (包案) of a case still open.",
        ),
    }
)


class IllegalTransition(RuleViolation):
    slug = "illegal-transition"
    title = "This action is not allowed now"


def refuse(rule_slug: str, text: str, *, field: str = "status") -> IllegalTransition:
    return IllegalTransition(text, errors=[{"field": field, "message": text, "type": rule_slug}])


def check(action: Action, status: CaseStatus) -> CaseStatus:
    """The status ``action`` leads to from ``status``; refused with its rule when illegal."""
    rule = RULES[action]
    if status not in rule.allowed_from:
        raise refuse(rule.slug, f"{rule.text} This case is {status.value}.")
    return status if rule.leads_to is None else rule.leads_to


def is_open(status: CaseStatus) -> bool:
    return status in _OPEN


@dataclass(frozen=True, slots=True)
class ExtensionState:
    """What the extension rules need to know about a case's resolve clock."""

    granted_days: int
    pending_days: int | None
    due_date: date


def check_extension_request(state: ExtensionState, *, days: int, today: date) -> None:
    """At most 30 days, once, and asked before the time limit expires (002 五.3)."""
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise refuse(
            "extension-at-most-30-days",
            f"An extension is 1 to {MAX_EXTENSION_DAYS} days (002 五.3); {days} asked.",
            field="days",
        )
    if state.granted_days:
        raise refuse(
            "extension-only-once", "A case is extended only once (002 五.3); it already was."
        )
    if state.pending_days is not None:
        raise refuse("extension-pending", "An extension request is already waiting for a leader.")
    if today > state.due_date:
        raise refuse(
            "extension-before-expiry",
            f"An extension is requested before the time limit expires ({state.due_date}).",
        )


def check_extension_decision(state: ExtensionState) -> int:
    """The days asked; refused when nothing is waiting for a decision."""
    if state.pending_days is None:
        raise refuse("extension-not-requested", "No extension request is waiting for a decision.")
    return state.pending_days
