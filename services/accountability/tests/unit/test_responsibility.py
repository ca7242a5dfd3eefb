"""Who is responsible (domain §7.2), with the cases the source articles give."""

from __future__ import annotations

from huiyin_accountability.domain.responsibility import (
    Basis,
    HandlingRecord,
    Role,
    responsible_parties,
)
from huiyin_shared.contracts.events.accountability import SubjectKind


def roles(record: HandlingRecord) -> list[tuple[str, Role]]:
    return [(p.id, p.role) for p in responsible_parties(record)]


def chain(**changes: object) -> HandlingRecord:
    """Handled by h-1, reviewed by r-1, approved by a-1."""
    values: dict[str, object] = {"handler": "h-1", "reviewers": ("r-1",), "approvers": ("a-1",)}
    return HandlingRecord(Basis.STAFF_CHAIN, **{**values, **changes})  # type: ignore[arg-type]


def test_handler_who_misled_reviewer_and_approver_alone_answers() -> None:
    # 000 第八条: 承办人失职、弄虚作假、隐瞒事实, 导致审核人、批准人失误.
    record = chain(handler_misled=True)
    assert roles(record) == [("h-1", Role.HANDLER)]
    assert responsible_parties(record)[0].source == "000 第八条"


def test_reviewer_and_approver_who_should_have_caught_it_answer_with_the_handler() -> None:
    # 000 第九条: 追究审核人、批准人责任, 同时追究承办人责任.
    record = chain(reviewers_should_have_caught=True)
    assert roles(record) == [("r-1", Role.REVIEWER), ("a-1", Role.APPROVER), ("h-1", Role.HANDLER)]


def test_a_wrong_decision_ordered_by_a_leader_is_the_leaders() -> None:
    # 000 第十条: 领导者不负责、故意或指令做出的错误决定, 追究领导责任.
    record = chain(ordered_by_leader="lead-1")
    assert roles(record) == [("lead-1", Role.ORDERING_LEADER)]


def test_collective_decision_holds_the_leadership_team() -> None:
    record = HandlingRecord(Basis.COLLECTIVE, leadership_team="bureau-1")
    parties = responsible_parties(record)
    assert [(p.kind, p.id, p.role) for p in parties] == [
        (SubjectKind.UNIT, "bureau-1", Role.LEADERSHIP_TEAM)
    ]


def test_top_leaders_own_matter() -> None:
    record = HandlingRecord(Basis.TOP_LEADER, top_leader="top-1", deputy="dep-1")
    assert roles(record) == [("top-1", Role.TOP_LEADER)]


def test_deputys_area_holds_the_deputy_and_the_unit_head() -> None:
    # (一)(五): 副职在其分管的职责范围内发生严重问题的, 追究副职的责任, 并同时追究单位负责人的责任.
    record = HandlingRecord(Basis.DEPUTY_AREA, deputy="dep-1", unit_head="top-1")
    assert roles(record) == [("dep-1", Role.DEPUTY_IN_CHARGE), ("top-1", Role.UNIT_HEAD)]


def test_sections_area_holds_the_section_and_its_leader_in_charge() -> None:
    # (二): 属于科室职责范围内发生严重后果的, 追究科室责任, 并同时追究分管负责人的责任.
    record = HandlingRecord(
        Basis.SECTION_AREA, section_unit="section-3", section_leader_in_charge="dep-2"
    )
    parties = responsible_parties(record)
    assert [(p.kind, p.id, p.role) for p in parties] == [
        (SubjectKind.UNIT, "section-3", Role.SECTION),
        (SubjectKind.STAFF, "dep-2", Role.LEADER_IN_CHARGE),
    ]


def test_who_advised_against_and_was_overruled_is_replaced_by_the_superior() -> None:
    # 000 第十一条5: 确已向上级领导提出建议而未被采纳的, 不追究当事人责任.
    record = chain(reviewers_should_have_caught=True, overruled={"r-1": "dep-1"})
    assert roles(record) == [
        ("a-1", Role.APPROVER),
        ("h-1", Role.HANDLER),
        ("dep-1", Role.OVERRULING_SUPERIOR),
    ]
