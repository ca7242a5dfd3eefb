"""Value types shared by the event contracts.

Events cross service boundaries, so their vocabulary is fixed here once: enums for the
domain's closed lists (channel, kind, routing mode, …) and constrained string types for
references. Identity never travels: a petitioner appears only as a :data:`PetitionerRef`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from huiyin_shared.calendar import CountingMode as _CalendarCountingMode

# --- services (the ``producer`` of an envelope, the owners of queues) ------------------------


class Service(StrEnum):
    """The four services that produce and consume events."""

    INTAKE = "intake"
    ROUTING = "routing"
    SUPERVISION = "supervision"
    ACCOUNTABILITY = "accountability"


# --- references -------------------------------------------------------------------------------

PetitionerRef = Annotated[
    str,
    Field(
        pattern=r"^pr_[A-Za-z0-9_-]{16,64}$",
        description=(
            "Pseudonymous petitioner reference minted by intake (stable per petitioner so "
            "repeat petitions can be recognised); never an identity attribute."
        ),
    ),
]
"""A petitioner, pseudonymously: the prefix and alphabet keep names and numbers out."""

PersonRef = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description=(
            "Opaque reference to a person named in a petition (e.g. an accused official): "
            "the jurisdiction registry's person id when known, else an intake pseudonym."
        ),
    ),
]
"""An accused person or other named person, never by name."""

StaffId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="Id of a staff member (clerk, handler, leader, officer) acting in the system.",
    ),
]
"""Staff act on petitions; who acted is part of the power-operation record."""

UnitId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="Id of an organisation (office, department, unit) in the registry.",
    ),
]

DivisionCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{6}([0-9]{3}){0,2}$",
        description=(
            "Administrative division code: 6 digits (province to county) or the 9/12-digit "
            "statistical code (township, village)."
        ),
    ),
]

RegistrationNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="Human-readable registration number, sequential per office and year.",
    ),
]

SubjectCategory = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9_.-]{1,64}$",
        description="Subject-line category code from the jurisdiction registry (归口).",
    ),
]

RuleSource = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Where a rule comes from, e.g. '002 五.3' (source document and article).",
    ),
]

ShortText = Annotated[str, Field(min_length=1, max_length=500)]
"""A reason or note: short, public-safe text."""

LongText = Annotated[str, Field(min_length=1, max_length=4000)]
"""A content summary: what a handling unit needs, never the petitioner's identity."""


class ContractModel(BaseModel):
    """Base of nested value objects: immutable and strict like the events themselves."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitRef(ContractModel):
    """A unit as routing chose it: enough to display and to route by territory."""

    unit_id: UnitId
    unit_name: str = Field(min_length=1, max_length=200)
    division_code: DivisionCode


# --- petitions --------------------------------------------------------------------------------


class Channel(StrEnum):
    """How a petition reached the office."""

    LETTER = "letter"
    VISIT = "visit"
    PHONE = "phone"
    EMAIL = "email"
    ONLINE = "online"
    MAILBOX = "mailbox"
    TRANSFER = "transfer"
    LEADER_INSTRUCTION = "leader_instruction"


class PetitionKind(StrEnum):
    """The kind of petition; competence in the registry is declared per kind."""

    REPORT = "report"
    ACCUSATION = "accusation"
    APPEAL = "appeal"
    SUGGESTION = "suggestion"
    HELP_REQUEST = "help_request"
    INQUIRY = "inquiry"


class NotAcceptedReason(StrEnum):
    """The six grounds for not accepting a petition (000 信访工作管理制度 第九条)."""

    FOR_LEGISLATURE_OR_JUDICIARY = "for_legislature_or_judiciary"
    """For legislatures, courts or procuratorates."""
    STATUTORY_REMEDY_REQUIRED = "statutory_remedy_required"
    """Must go through litigation, arbitration or administrative reconsideration."""
    ALREADY_RE_REVIEWED = "already_re_reviewed"
    """Already re-reviewed and concluded."""
    BEING_HANDLED_WITHIN_TIME_LIMIT = "being_handled_within_time_limit"
    """Being handled and resubmitted within its time limit."""
    REVIEW_REQUEST_LATE = "review_request_late"
    """Review not requested within the time limit."""
    RE_REVIEW_DISAGREEMENT_SAME_FACTS = "re_review_disagreement_same_facts"
    """Disagreement with a re-review on the same facts and reasons."""


class ReviewTier(StrEnum):
    """The tiers a dissatisfied petitioner can climb before the matter is final."""

    REVIEW = "review"
    RE_REVIEW = "re_review"


class PetitionFacts(ContractModel):
    """What routing and handling need to know about an accepted petition.

    Carried along (event-carried state) so that no service has to call intake; it holds a
    content summary for the handling unit but no identity attribute of the petitioner.
    """

    registration_number: RegistrationNumber
    office_id: UnitId = Field(description="The office that registered and accepted it.")
    channel: Channel
    kind: PetitionKind
    subject_category: SubjectCategory
    division_code: DivisionCode = Field(description="Where the matter arises (territorial).")
    received_at: AwareDatetime
    accepted_at: AwareDatetime
    anonymous: bool
    collective: bool
    urgent: bool
    accused_unit_ids: list[UnitId] = Field(default_factory=list, max_length=50)
    accused_person_refs: list[PersonRef] = Field(default_factory=list, max_length=50)
    summary: LongText


# --- routing ----------------------------------------------------------------------------------


class RoutingMode(StrEnum):
    """How a petition is sent on (自办 / 转办 / 交办 / 告知)."""

    HANDLE_DIRECTLY = "handle_directly"
    TRANSFER = "transfer"
    """Transfer: no result report owed."""
    ASSIGN = "assign"
    """Assign with report: a result report is owed by a deadline."""
    REFER_OUT = "refer_out"


class DeadlineClass(StrEnum):
    """Which time-limit line of the policy table applies to the handling."""

    GENERAL = "general"
    """Resolution within 60 days of acceptance (or 30 under the commitment policy)."""
    IMPORTANT = "important"
    """Important matter under the commitment policy: 90 days."""
    SUPERIOR_ASSIGNED = "superior_assigned"
    """Superior-assigned with report (纪群字): 3 months."""
    SUPERIOR_ASSIGNED_LETTER = "superior_assigned_letter"
    """Superior-assigned letters (组织部): 2 months, explain if late."""
    LEADER_OWNED = "leader_owned"
    """Leader-owned complex case (包案): 2 months."""
    NO_RESULT_REPORT = "no_result_report"
    """Transferred: the receiving unit owes no result report."""


class CaseRole(StrEnum):
    """A unit's role in a case touching several departments."""

    LEAD = "lead"
    PARTICIPATING = "participating"


# --- clocks -----------------------------------------------------------------------------------


# One vocabulary for counting time limits: the business calendar's own enum.
CountingMode = _CalendarCountingMode


class ClockName(StrEnum):
    """The clocks supervision runs on a case."""

    ACKNOWLEDGE = "acknowledge"
    """The unit accepts the assignment."""
    RESOLVE = "resolve"
    """The result (handling opinion) is due."""
    NAME_OWNER = "name_owner"
    """A leader-owned case names its owner (5 working days)."""
    NOTIFY_PETITIONER = "notify_petitioner"
    """The petitioner is told of closure or transfer (3 days)."""
    REVIEW = "review"
    """Review (复查) opinion."""
    RE_REVIEW = "re_review"
    """Re-review (复核) opinion."""
