"""Routing decisions against the sample registry (济南市, 历下区, 市中区, 历城区)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest

from huiyin_routing.domain.decision import Decision, Outcome, RoutingPolicy, Verdict, decide
from huiyin_routing.domain.registry import RegistrySnapshot
from huiyin_routing.domain.registry_build import build_snapshot
from huiyin_routing.domain.registry_file import parse_registry
from huiyin_shared.contracts.events.common import DeadlineClass, PetitionKind, RoutingMode
from huiyin_shared.testing.events import petition_facts


@pytest.fixture(scope="module")
def sample() -> RegistrySnapshot:
    text = resources.files("huiyin_routing.data").joinpath("sample-registry.yaml").read_text()
    return build_snapshot(parse_registry(text), version=7)


def route(snapshot: RegistrySnapshot, **facts: Any) -> Decision:
    return decide(petition_facts(**{"office_id": "370102-xfb", **facts}), snapshot)


def verdicts(decision: Decision) -> dict[str, Verdict]:
    return {c.unit_id: c.verdict for c in decision.candidates}


def test_unpaid_wages_go_to_the_county_labour_bureau_with_report(sample: RegistrySnapshot) -> None:
    decision = route(sample, division_code="370102", subject_category="labour.wages")
    assert decision.outcome is Outcome.ROUTE
    assert decision.lead is not None
    assert decision.lead.unit_id == "370102-rsj"
    assert decision.mode is RoutingMode.ASSIGN
    assert decision.deadline_class is DeadlineClass.GENERAL
    assert decision.registry_version == 7
    assert decision.escalation is not None
    assert decision.escalation.unit_head_id == "370102-rsj-head"
    assert decision.escalation.leader_in_charge_id == "370102-zf-fz1"
    assert decision.escalation.top_leader_id == "370102-qw-head"
    assert decision.escalation.superior is not None
    assert decision.escalation.superior.unit_id == "370102-zf"


def test_a_street_without_the_competence_sends_the_matter_up_to_the_county(
    sample: RegistrySnapshot,
) -> None:
    decision = route(sample, division_code="370102001", subject_category="labour.wages")
    assert decision.lead is not None
    assert decision.lead.unit_id == "370102-rsj"


def test_the_lowest_competent_level_is_the_street_for_community_matters(
    sample: RegistrySnapshot,
) -> None:
    decision = route(sample, division_code="370102001", subject_category="community.services")
    assert decision.lead is not None
    assert decision.lead.unit_id == "370102001-jd"


def test_an_unregistered_village_code_falls_back_to_its_street(sample: RegistrySnapshot) -> None:
    decision = route(sample, division_code="370102001003", subject_category="community.services")
    assert decision.lead is not None
    assert decision.lead.unit_id == "370102001-jd"
    assert any("not registered" in rule for rule in decision.rules)


def test_the_territory_follows_the_place_not_the_registering_office(
    sample: RegistrySnapshot,
) -> None:
    decision = route(sample, division_code="370112", subject_category="labour.wages")
    assert decision.lead is not None
    assert decision.lead.unit_id == "370112-rsj"


def test_several_competent_departments_give_a_lead_and_participants(
    sample: RegistrySnapshot,
) -> None:
    decision = route(sample, division_code="370103", subject_category="land.requisition")
    assert decision.lead is not None
    assert decision.lead.unit_id == "370103-zrj"
    assert {u.unit_id for u in decision.participants} == {"370103-nyj", "370103-rsj"}
    assert verdicts(decision)["370103-nyj"] is Verdict.PARTICIPATING


def test_construction_wages_are_led_by_labour_with_housing_taking_part(
    sample: RegistrySnapshot,
) -> None:
    decision = route(sample, division_code="370102", subject_category="labour.wages.construction")
    assert decision.lead is not None
    assert decision.lead.unit_id == "370102-rsj"
    assert [u.unit_id for u in decision.participants] == ["370102-zjj"]


def test_competence_is_by_kind_too(sample: RegistrySnapshot) -> None:
    help_request = route(sample, division_code="370102", subject_category="party.conduct")
    assert help_request.outcome is Outcome.NO_COMPETENT_UNIT
    accusation = route(
        sample, division_code="370102", subject_category="party.conduct", kind="accusation"
    )
    assert accusation.lead is not None
    assert accusation.lead.unit_id == "370102-qw"


def test_suggestions_are_transferred_without_a_result_report(sample: RegistrySnapshot) -> None:
    decision = route(
        sample, division_code="370102", subject_category="education.schools", kind="suggestion"
    )
    assert decision.mode is RoutingMode.TRANSFER
    assert decision.deadline_class is DeadlineClass.NO_RESULT_REPORT


def test_the_transfer_kinds_are_a_policy(sample: RegistrySnapshot) -> None:
    facts = petition_facts(
        office_id="370102-xfb", subject_category="education.schools", kind="suggestion"
    )
    decision = decide(facts, sample, policy=RoutingPolicy(transfer_kinds=frozenset()))
    assert decision.mode is RoutingMode.ASSIGN


def test_urgent_and_collective_petitions_are_important(sample: RegistrySnapshot) -> None:
    decision = route(sample, subject_category="labour.wages", collective=True)
    assert decision.deadline_class is DeadlineClass.IMPORTANT


def test_the_registering_office_handles_its_own_matters_directly(
    sample: RegistrySnapshot,
) -> None:
    decision = route(sample, division_code="370102", subject_category="petition.procedure")
    assert decision.mode is RoutingMode.HANDLE_DIRECTLY
    assert decision.lead is not None
    assert decision.lead.unit_id == "370102-xfb"


@pytest.mark.parametrize(
    ("subject", "authority"),
    [
        ("litigation.judgment", "历下区人民法院"),
        ("procuratorial.supervision", "历下区人民检察院"),
        ("legislative.deputies", "历下区人大常委会"),
        ("arbitration.labour", "历下区劳动人事争议仲裁院"),
        ("reconsideration.administrative", "历下区人民政府行政复议办公室"),
    ],
)
def test_matters_for_other_authorities_are_referred_out_naming_them(
    sample: RegistrySnapshot, subject: str, authority: str
) -> None:
    decision = route(sample, division_code="370102", subject_category=subject)
    assert decision.outcome is Outcome.REFER_OUT
    assert decision.mode is RoutingMode.REFER_OUT
    assert decision.authority == authority
    assert decision.lead is None


def test_a_statutory_matter_is_referred_out_even_when_the_registry_lacks_the_authority(
    sample: RegistrySnapshot,
) -> None:
    decision = route(sample, division_code="370102", subject_category="judicial.enforcement")
    assert decision.outcome is Outcome.REFER_OUT
    assert decision.authority == "历下区人民法院"
    bare = decide(
        petition_facts(office_id="370102-xfb", subject_category="litigation.civil"),
        _without_courts(sample),
    )
    assert bare.outcome is Outcome.REFER_OUT
    assert bare.authority is not None
    assert "人民法院" in bare.authority


def test_a_statutory_matter_is_never_caught_by_a_catch_all_competence(
    sample: RegistrySnapshot,
) -> None:
    # The street office takes any inquiry ('*'), but a court judgment is not its matter.
    decision = route(
        sample, division_code="370102001", subject_category="litigation.judgment", kind="inquiry"
    )
    assert decision.outcome is Outcome.REFER_OUT
    assert decision.authority == "历下区人民法院"


def _without_courts(snapshot: RegistrySnapshot) -> RegistrySnapshot:
    index = {
        code: {p: items for p, items in patterns.items() if not p.startswith("litigation")}
        for code, patterns in snapshot.competence_index.items()
    }
    return RegistrySnapshot(
        version=snapshot.version,
        divisions=snapshot.divisions,
        organisations=snapshot.organisations,
        people=snapshot.people,
        conflicts=snapshot.conflicts,
        competence_index=index,
        units_by_division=snapshot.units_by_division,
        units_led_by=snapshot.units_led_by,
    )


def test_an_accused_unit_never_receives_the_petition(sample: RegistrySnapshot) -> None:
    decision = route(
        sample, subject_category="labour.wages", kind="accusation", accused_unit_ids=["370102-rsj"]
    )
    assert decision.lead is not None
    assert decision.lead.unit_id == "370100-rsj"
    assert verdicts(decision)["370102-rsj"] is Verdict.REJECTED
    rejected = next(c for c in decision.candidates if c.unit_id == "370102-rsj")
    assert "accused unit" in rejected.reason
    assert any("rejected" in reason and "370102-rsj" in reason for reason in decision.reasons())


def test_a_petition_about_an_official_goes_to_the_managing_level(
    sample: RegistrySnapshot,
) -> None:
    decision = route(
        sample,
        division_code="370102001",
        kind="accusation",
        subject_category="discipline.misconduct",
        accused_person_refs=["370102001-dgw-head"],
    )
    assert decision.lead is not None
    assert decision.lead.unit_id == "370102-jw"
    assert decision.deadline_class is DeadlineClass.SUPERIOR_ASSIGNED
    assert any("cadre management" in rule for rule in decision.rules)


def test_a_county_official_is_handled_by_the_city_not_the_county(
    sample: RegistrySnapshot,
) -> None:
    decision = route(
        sample,
        kind="accusation",
        subject_category="discipline.misconduct",
        accused_person_refs=["370102-qw-head"],
    )
    assert decision.lead is not None
    assert decision.lead.unit_id == "370100-jw"


def test_a_unit_led_by_the_accused_person_is_excluded(sample: RegistrySnapshot) -> None:
    decision = route(
        sample,
        subject_category="labour.wages",
        kind="report",
        accused_person_refs=["370102-rsj-head"],
    )
    assert decision.lead is not None
    assert decision.lead.unit_id != "370102-rsj"
    assert verdicts(decision)["370102-rsj"] is Verdict.REJECTED


def test_handlers_with_a_declared_conflict_are_recused(sample: RegistrySnapshot) -> None:
    decision = route(
        sample,
        division_code="370102001",
        kind="accusation",
        subject_category="discipline.misconduct",
        accused_person_refs=["370102001-dgw-head"],
    )
    assert any("370102-jw-h2" in r and "近亲属" in r for r in decision.recusals)


def test_units_that_returned_the_case_are_excluded_with_the_reason(
    sample: RegistrySnapshot,
) -> None:
    facts = petition_facts(
        office_id="370102-xfb", division_code="370103", subject_category="land.requisition"
    )
    decision = decide(facts, sample, excluded={"370103-zrj": "returned the case: 不属本局职责"})
    assert decision.lead is not None
    assert decision.lead.unit_id == "370100-zrj"
    rejected = next(c for c in decision.candidates if c.unit_id == "370103-zrj")
    assert "不属本局职责" in rejected.reason


def test_no_competent_unit_is_an_outcome_with_its_reason(sample: RegistrySnapshot) -> None:
    decision = route(sample, division_code="370102", subject_category="space.launches")
    assert decision.outcome is Outcome.NO_COMPETENT_UNIT
    assert decision.lead is None
    assert any("no eligible unit" in rule for rule in decision.rules)


def test_an_unknown_province_has_no_territory(sample: RegistrySnapshot) -> None:
    decision = route(sample, division_code="110101", subject_category="labour.wages")
    assert decision.outcome is Outcome.NO_COMPETENT_UNIT
    assert "not in registry version 7" in decision.rules[0]


def test_the_same_facts_and_snapshot_give_the_same_decision(sample: RegistrySnapshot) -> None:
    facts = petition_facts(office_id="370102-xfb", subject_category="land.requisition")
    assert decide(facts, sample) == decide(facts, sample)


def test_event_reasons_are_bounded(sample: RegistrySnapshot) -> None:
    decision = route(sample, subject_category="labour.wages", kind=PetitionKind.HELP_REQUEST)
    reasons = decision.reasons()
    assert 1 <= len(reasons) <= 20
    assert all(len(r) <= 500 for r in reasons)
