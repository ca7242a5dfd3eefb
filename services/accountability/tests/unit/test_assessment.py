"""The ten items, the grade and its caps (004 考核制度 三), and the one-vote veto."""

from __future__ import annotations

import pytest

from huiyin_accountability.domain.assessment import (
    COMPUTED,
    Grade,
    Item,
    RudeComplaint,
    UnitAssessment,
    assess_staff,
    computed_items,
)

ENTERED = [i for i in Item if i not in COMPUTED]


def assess(met: int, complaints: list[RudeComplaint] | None = None) -> Grade:
    """``met`` of the ten items met (the computed ones first)."""
    computed = {Item.TIME_LIMITS_MET: met >= 1, Item.NO_DISSATISFACTION_RECORDS: met >= 2}
    entered = {item: n < met - 2 for n, item in enumerate(ENTERED)}
    result = assess_staff(
        staff_id="s", year=2026, entered=entered, computed=computed, complaints=complaints or []
    )
    assert result.met == met
    assert result.complete
    return result.grade


@pytest.mark.parametrize(
    ("met", "grade"),
    [
        (10, Grade.EXCELLENT),
        (9, Grade.EXCELLENT),
        (8, Grade.QUALIFIED),
        (7, Grade.QUALIFIED),
        (6, Grade.BASICALLY_QUALIFIED),
        (5, Grade.UNQUALIFIED),
        (0, Grade.UNQUALIFIED),
    ],
)
def test_items_met_give_the_grade(met: int, grade: Grade) -> None:
    assert assess(met) is grade


def test_rude_treatment_caps_the_grade_and_the_press_makes_it_unqualified() -> None:
    assert assess(10, [RudeComplaint(reported_in_press=False)]) is Grade.BASICALLY_QUALIFIED
    assert assess(5, [RudeComplaint(reported_in_press=False)]) is Grade.UNQUALIFIED
    assert assess(10, [RudeComplaint(reported_in_press=True)]) is Grade.UNQUALIFIED


def test_items_not_entered_count_as_not_met_and_leave_it_incomplete() -> None:
    result = assess_staff(staff_id="s", year=2026, entered={}, computed={}, complaints=[])
    assert (result.met, result.grade, result.complete) == (0, Grade.UNQUALIFIED, False)
    assert result.items[Item.RECORDS_KEPT] is None


def test_computed_items_from_the_cases_each_handler_accepted() -> None:
    found = computed_items(
        accepted=[("h-1", "c-1"), ("h-1", "c-2"), ("h-2", "c-3")],
        overdue_cases=["c-2"],
        dissatisfied_cases=["c-3"],
    )
    assert found["h-1"] == {Item.TIME_LIMITS_MET: False, Item.NO_DISSATISFACTION_RECORDS: True}
    assert found["h-2"] == {Item.TIME_LIMITS_MET: True, Item.NO_DISSATISFACTION_RECORDS: False}


def test_a_unit_failing_its_target_is_vetoed() -> None:
    assert UnitAssessment("u", 2026, target_met=False).vetoed
    assert not UnitAssessment("u", 2026, target_met=True).vetoed
