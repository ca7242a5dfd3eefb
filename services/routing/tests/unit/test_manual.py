"""A leader's manual decision and who owns it."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest

from huiyin_routing.domain.decision import Outcome
from huiyin_routing.domain.manual import ManualDecisionRefused, deciding_leader, manual_decision
from huiyin_routing.domain.registry import RegistrySnapshot
from huiyin_routing.domain.registry_build import build_snapshot
from huiyin_routing.domain.registry_file import parse_registry
from huiyin_shared.contracts.events.common import DeadlineClass, RoutingMode
from huiyin_shared.testing.events import petition_facts


@pytest.fixture(scope="module")
def sample() -> RegistrySnapshot:
    text = resources.files("huiyin_routing.data").joinpath("sample-registry.yaml").read_text()
    return build_snapshot(parse_registry(text), version=1)


def by_hand(snapshot: RegistrySnapshot, facts: dict[str, Any] | None = None, **choice: Any) -> Any:
    values: dict[str, Any] = {
        "mode": RoutingMode.ASSIGN,
        "lead_unit_id": "370102-zjj",
        "participating_unit_ids": (),
        "deadline_class": None,
        "authority": None,
        "decided_by": "370102-zf-fz3",
        "reason": "建设领域欠薪由住建局牵头",
        **choice,
    }
    return manual_decision(petition_facts(**(facts or {})), snapshot, **values)


def test_the_leader_in_charge_of_the_area_owns_the_decision(sample: RegistrySnapshot) -> None:
    facts = petition_facts(subject_category="labour.wages")
    assert deciding_leader(facts, sample, "370102") == "370102-zf-fz1"
    assert deciding_leader(facts, sample, "370102001") == "370102001-dgw-head"  # the street
    unknown_area = petition_facts(subject_category="space.launches")
    assert deciding_leader(unknown_area, sample, "370102") == "370102-qw-head"


def test_a_leader_in_conflict_or_accused_does_not_own_it(sample: RegistrySnapshot) -> None:
    # 370102-zf-fz1 declared a conflict with the labour bureau's head.
    facts = petition_facts(subject_category="labour.wages", accused_person_refs=["370102-rsj-head"])
    assert deciding_leader(facts, sample, "370102") == "370102-qw-head"
    accused = petition_facts(
        subject_category="labour.wages", accused_person_refs=["370102-zf-fz1", "370102-qw-head"]
    )
    assert deciding_leader(accused, sample, "370102") == "370100-zf-fz1"


def test_a_manual_decision_is_recorded_with_its_reason(sample: RegistrySnapshot) -> None:
    decision = by_hand(sample, participating_unit_ids=("370102-rsj",))
    assert decision.outcome is Outcome.ROUTE
    assert decision.lead.unit_id == "370102-zjj"
    assert [u.unit_id for u in decision.participants] == ["370102-rsj"]
    assert decision.deadline_class is DeadlineClass.GENERAL
    assert decision.rules == ("manual decision by 370102-zf-fz3: 建设领域欠薪由住建局牵头",)
    assert decision.escalation.unit_head_id == "370102-zjj-head"


def test_the_mode_sets_the_default_deadline_class(sample: RegistrySnapshot) -> None:
    assert by_hand(sample, mode=RoutingMode.TRANSFER).deadline_class is (
        DeadlineClass.NO_RESULT_REPORT
    )
    assert by_hand(sample, facts={"urgent": True}).deadline_class is DeadlineClass.IMPORTANT


@pytest.mark.parametrize(
    ("choice", "field", "message"),
    [
        ({"lead_unit_id": "370102-nowhere"}, "lead_unit_id", "unknown unit 370102-nowhere"),
        ({"lead_unit_id": "370102-fy"}, "lead_unit_id", "历下区人民法院 is outside: refer out"),
        ({"lead_unit_id": None}, "lead_unit_id", "required unless referring out"),
        (
            {"participating_unit_ids": ("370102-zjj",)},
            "participating_unit_ids",
            "units must be distinct",
        ),
        (
            {"mode": RoutingMode.TRANSFER, "deadline_class": DeadlineClass.GENERAL},
            "deadline_class",
            "does not match the mode",
        ),
        ({"mode": RoutingMode.REFER_OUT}, "authority", "required to refer out"),
    ],
)
def test_a_manual_decision_breaking_a_rule_is_refused(
    sample: RegistrySnapshot, choice: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ManualDecisionRefused) as refused:
        by_hand(sample, **choice)
    assert refused.value.errors[0] == {"field": field, "message": message}


def test_the_accused_and_units_they_lead_stay_excluded(sample: RegistrySnapshot) -> None:
    with pytest.raises(ManualDecisionRefused) as refused:
        by_hand(
            sample,
            facts={"accused_person_refs": ["370102-zjj-head"]},
            participating_unit_ids=("370102-rsj",),
        )
    assert refused.value.errors == [
        {
            "field": "lead_unit_id",
            "message": "历下区住房和城乡建设局: it is the own unit of the accused official "
            "370102-zjj-head",
        }
    ]
