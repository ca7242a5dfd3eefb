"""Registry files: the format, and every refusal naming its line."""

from __future__ import annotations

import textwrap

import pytest

from huiyin_routing.domain.decision import decide
from huiyin_routing.domain.registry import DivisionLevel, OrganisationType, level_of_code
from huiyin_routing.domain.registry_build import build_snapshot
from huiyin_routing.domain.registry_file import parse_registry
from huiyin_routing.domain.registry_problems import InvalidRegistryError
from huiyin_shared.testing.events import petition_facts

VALID = textwrap.dedent(
    """\
    format: huiyin-registry/1
    divisions:
      - code: 370100
        name: 济南市
      - code: "370102"
        name: 历下区
        leaders:
          top: p-sj
          in_charge: {labour: p-fqz}
      - code: "370102001"
        name: 解放路街道
    organisations:
      - id: 370102-zf
        name: 历下区人民政府
        division: "370102"
        type: government
        competences:
          - subjects: ["government.*"]
      - id: 370102-rsj
        name: 历下区人力资源和社会保障局
        division: "370102"
        type: department
        head: p-jz
        handlers: [h-1, h-2]
        competences:
          - subjects: [labour.wages]
            kinds: [help_request, report]
    people:
      - {id: p-sj, name: 王建国, unit: 370102-zf, post: 区委书记}
      - {id: p-fqz, name: 李海燕, unit: 370102-zf, post: 副区长}
      - {id: p-jz, name: 张志强, unit: 370102-rsj, post: 局长, managed_by: 370102-zf}
    conflicts:
      - {staff: p-fqz, with_unit: 370102-rsj, reason: 配偶在该局任职}
    """
)


def load(text: str) -> object:
    return build_snapshot(parse_registry(text), version=1)


def refusal(text: str) -> InvalidRegistryError:
    with pytest.raises(InvalidRegistryError) as caught:
        load(text)
    return caught.value


def test_a_valid_file_builds_an_indexed_snapshot() -> None:
    snapshot = build_snapshot(parse_registry(VALID), version=3)
    assert snapshot.version == 3
    assert snapshot.divisions["370102001"].parent == "370102"
    assert snapshot.divisions["370102"].parent == "370100"
    assert snapshot.divisions["370100"].parent is None  # 370000 is not in this file
    assert snapshot.divisions["370102001"].level is DivisionLevel.TOWNSHIP
    assert snapshot.organisations["370102-rsj"].type is OrganisationType.DEPARTMENT
    assert snapshot.units_led_by["p-jz"] == ("370102-rsj",)
    assert "370102-zf" in snapshot.units_led_by["p-sj"]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("370000", DivisionLevel.PROVINCE),
        ("370100", DivisionLevel.PREFECTURE),
        ("370102", DivisionLevel.COUNTY),
        ("370102001", DivisionLevel.TOWNSHIP),
        ("370102001003", DivisionLevel.VILLAGE),
    ],
)
def test_levels_follow_the_national_code_scheme(code: str, level: DivisionLevel) -> None:
    assert level_of_code(code) is level


def test_a_unit_led_by_the_accused_person_is_excluded() -> None:
    text = VALID.replace(
        "{id: p-sj, name: 王建国, unit: 370102-zf", "{id: p-sj, name: 王建国, unit: 370102-rsj"
    )
    snapshot = build_snapshot(parse_registry(text), version=1)
    decision = decide(
        petition_facts(
            office_id="370102-xfb",
            kind="report",
            subject_category="government.conduct",
            accused_person_refs=["p-sj"],
        ),
        snapshot,
    )
    assert decision.lead is None
    assert decision.candidates[0].unit_id == "370102-zf"
    assert decision.candidates[0].reason == "it is led by the accused person p-sj"


def test_a_unit_whose_head_and_handlers_are_all_recused_is_rejected() -> None:
    text = (
        VALID
        + "  - {staff: p-jz, with_person: p-x, reason: 近亲属}\n"
        + "  - {staff: h-1, with_person: p-x, reason: 同学}\n"
        + "  - {staff: h-2, with_person: p-x, reason: 曾有经济往来}\n"
    )
    snapshot = build_snapshot(parse_registry(text), version=1)
    decision = decide(
        petition_facts(office_id="370102-xfb", kind="report", accused_person_refs=["p-x"]),
        snapshot,
    )
    assert decision.lead is None
    assert decision.candidates[0].reason == "its head and every handler are recused"
    partly = build_snapshot(parse_registry(text.rsplit("  - {staff: h-2", 1)[0]), version=1)
    routed = decide(
        petition_facts(office_id="370102-xfb", kind="report", accused_person_refs=["p-x"]),
        partly,
    )
    assert routed.lead is not None
    assert routed.lead.unit_id == "370102-rsj"
    assert routed.escalation is not None
    assert routed.escalation.unit_head_id is None
    assert any("p-jz" in r for r in routed.recusals)


def test_a_leader_recused_for_a_conflict_is_not_escalated_to() -> None:
    snapshot = build_snapshot(parse_registry(VALID), version=1)
    decision = decide(
        petition_facts(office_id="370102-xfb", kind="report", accused_unit_ids=["370102-other"]),
        snapshot,
    )
    assert decision.escalation is not None
    assert decision.escalation.leader_in_charge_id == "p-fqz"
    text = VALID.replace("with_unit: 370102-rsj", "with_person: p-other")
    conflicted = decide(
        petition_facts(office_id="370102-xfb", kind="report", accused_person_refs=["p-other"]),
        build_snapshot(parse_registry(text), version=1),
    )
    assert conflicted.escalation is not None
    assert conflicted.escalation.leader_in_charge_id is None
    assert conflicted.escalation.top_leader_id == "p-sj"
    assert any("leader in charge p-fqz" in r for r in conflicted.recusals)


def test_an_unknown_division_code_is_refused_with_its_line() -> None:
    error = refusal(
        VALID.replace(
            'division: "370102"\n    type: department', 'division: "370199"\n    type: department'
        )
    )
    first = error.problems[0]
    assert (first.line, first.path, first.message) == (
        21,
        "organisations[1].division",
        "unknown division code 370199",
    )


def test_a_duplicate_code_is_refused_with_both_lines() -> None:
    error = refusal(VALID.replace('code: "370102001"', 'code: "370102"'))
    first = error.problems[0]
    assert first.line == 10
    assert first.message == "duplicate division code 370102 (first at line 5)"


def test_a_cycle_in_the_division_tree_is_refused() -> None:
    text = VALID.replace(
        "  - code: 370100\n    name: 济南市\n",
        '  - code: 370100\n    name: 济南市\n    parent: "370102"\n',
    )
    error = refusal(text)
    assert any("cycle" in p.message for p in error.problems)
    assert all(p.line is not None for p in error.problems)


def test_a_unit_without_competences_is_refused() -> None:
    text = VALID.replace(
        "    competences:\n      - subjects: [labour.wages]\n        kinds: [help_request, report]\n",
        "",
    )
    error = refusal(text)
    assert [(p.line, p.message) for p in error.problems] == [
        (19, "unit 370102-rsj has no competences")
    ]


def test_unknown_references_kinds_and_types_are_each_reported() -> None:
    text = (
        VALID.replace("type: department", "type: ministry")
        .replace("managed_by: 370102-zf", "managed_by: 370102-nowhere")
        .replace("top: p-sj", "top: p-nobody")
    )
    error = refusal(text)
    messages = " | ".join(p.describe() for p in error.problems)
    assert "line 22: organisations[1].type: type must be one of" in messages
    assert "unknown organisation 370102-nowhere" in messages
    assert "unknown person p-nobody" in messages


def test_bad_yaml_and_a_wrong_format_are_refused() -> None:
    with pytest.raises(InvalidRegistryError) as bad:
        parse_registry("divisions: [\n  - code: 1\n")
    assert bad.value.problems[0].line is not None
    assert (
        "format"
        in refusal(VALID.replace("huiyin-registry/1", "huiyin-registry/9")).problems[0].path
    )


def test_an_official_managed_by_their_own_unit_is_refused() -> None:
    error = refusal(VALID.replace("managed_by: 370102-zf", "managed_by: 370102-rsj"))
    assert error.problems[0].message == "an official is never managed by own unit"


def test_a_unit_name_too_long_for_the_events_is_refused() -> None:
    error = refusal(VALID.replace("name: 历下区人力资源和社会保障局", "name: " + "长" * 201))
    assert [(p.line, p.message) for p in error.problems] == [(20, "longer than 200 characters")]
