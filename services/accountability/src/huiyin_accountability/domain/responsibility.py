"""Who is responsible (domain §7.2): a pure function of who handled, reviewed, approved, decided.

Sources: 000 工作责任追究制度 第八–十条; 000 领导干部责任追究制度(一)(五) and (二)
(谁主管、谁负责).

* The handler misled the reviewer or approver (失职、弄虚作假、隐瞒事实) → the handler (第八条).
* The reviewer or approver should have caught or corrected it → the reviewer or approver, and
  the handler too (第九条).
* A leader irresponsibly, deliberately or by instruction made the wrong decision → that
  leader (第十条).
* A collective decision of the leadership team → the leadership team (一.五).
* The top leader's own matter → the top leader (一.五).
* A deputy's area of charge → the deputy and the unit's head (一.五).
* A section's area → the section and the leader in charge of it (二).
* Someone who formally advised against it and was overruled is not answerable; the one who
  overruled is (000 第十一条5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from huiyin_shared.contracts.events.accountability import SubjectKind


class Basis(StrEnum):
    """Whose decision the wrong act was, in the terms of the sources."""

    STAFF_CHAIN = "staff_chain"
    """Handled by staff, reviewed and approved up the line (第八–十条)."""
    COLLECTIVE = "collective"
    TOP_LEADER = "top_leader"
    DEPUTY_AREA = "deputy_area"
    SECTION_AREA = "section_area"


class Role(StrEnum):
    HANDLER = "handler"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    ORDERING_LEADER = "ordering_leader"
    LEADERSHIP_TEAM = "leadership_team"
    TOP_LEADER = "top_leader"
    DEPUTY_IN_CHARGE = "deputy_in_charge"
    UNIT_HEAD = "unit_head"
    SECTION = "section"
    LEADER_IN_CHARGE = "leader_in_charge"
    OVERRULING_SUPERIOR = "overruling_superior"


@dataclass(frozen=True)
class HandlingRecord:
    """What the record says about one wrong act."""

    basis: Basis
    handler: str | None = None
    reviewers: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    handler_misled: bool = False
    """The handler's neglect, fraud or concealment led the reviewers and approvers astray."""
    reviewers_should_have_caught: bool = False
    ordered_by_leader: str | None = None
    """A leader irresponsibly, deliberately or by instruction made the wrong decision."""
    leadership_team: str | None = None
    """The unit whose leadership team decided collectively (a unit id)."""
    top_leader: str | None = None
    deputy: str | None = None
    unit_head: str | None = None
    section_unit: str | None = None
    section_leader_in_charge: str | None = None
    overruled: dict[str, str] = field(default_factory=dict)
    """Person who formally advised against it → the person who overruled them."""


@dataclass(frozen=True)
class Responsible:
    kind: SubjectKind
    id: str
    role: Role
    source: str


def responsible_parties(record: HandlingRecord) -> list[Responsible]:
    """The responsible parties and their roles, each with the article it rests on."""
    found: list[Responsible] = []

    def add(kind: SubjectKind, who: str | None, role: Role, source: str) -> None:
        if who and all((r.kind, r.id) != (kind, who) for r in found):
            found.append(Responsible(kind, who, role, source))

    staff = SubjectKind.STAFF
    if record.ordered_by_leader:
        add(staff, record.ordered_by_leader, Role.ORDERING_LEADER, "000 第十条")
    if record.basis is Basis.COLLECTIVE:
        add(
            SubjectKind.UNIT,
            record.leadership_team,
            Role.LEADERSHIP_TEAM,
            "000 领导干部责任追究制度 (一)(五)",
        )
    elif record.basis is Basis.TOP_LEADER:
        add(staff, record.top_leader, Role.TOP_LEADER, "000 领导干部责任追究制度 (一)(五)")
    elif record.basis is Basis.DEPUTY_AREA:
        add(staff, record.deputy, Role.DEPUTY_IN_CHARGE, "000 领导干部责任追究制度 (一)(五)")
        add(staff, record.unit_head, Role.UNIT_HEAD, "000 领导干部责任追究制度 (一)(五)")
    elif record.basis is Basis.SECTION_AREA:
        add(SubjectKind.UNIT, record.section_unit, Role.SECTION, "000 领导干部责任追究制度 (二)")
        add(
            staff,
            record.section_leader_in_charge,
            Role.LEADER_IN_CHARGE,
            "000 领导干部责任追究制度 (二)",
        )
    elif record.handler_misled:
        add(staff, record.handler, Role.HANDLER, "000 第八条")
    elif record.reviewers_should_have_caught:
        for reviewer in record.reviewers:
            add(staff, reviewer, Role.REVIEWER, "000 第九条")
        for approver in record.approvers:
            add(staff, approver, Role.APPROVER, "000 第九条")
        add(staff, record.handler, Role.HANDLER, "000 第九条")
    elif not record.ordered_by_leader:
        add(staff, record.handler, Role.HANDLER, "000 第八条")
    return _apply_overruling(found, record)


def _apply_overruling(found: list[Responsible], record: HandlingRecord) -> list[Responsible]:
    result = [r for r in found if not (r.kind is SubjectKind.STAFF and r.id in record.overruled)]
    for person, superior in record.overruled.items():
        if any(r.id == person for r in found) and all(r.id != superior for r in result):
            result.append(
                Responsible(SubjectKind.STAFF, superior, Role.OVERRULING_SUPERIOR, "000 第十一条5")
            )
    return result
