from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from huiyin_intake.domain.repeats import Matter, RepeatOutcome, compare, outcome_for
from huiyin_intake.domain.similarity import containment, dice, normalise

THRESHOLD = 0.2
PAIRS = Path(__file__).resolve().parent.parent / "data" / "repeat_pairs.json"


def matter(
    text: str,
    *,
    units: tuple[str, ...] = (),
    persons: tuple[str, ...] = (),
    division: str = "370102",
    category: str = "labour.wages",
) -> Matter:
    return Matter(frozenset(units), frozenset(persons), division, category, text)


def test_normalising_drops_punctuation_width_boilerplate_and_names() -> None:
    assert normalise("拖欠 工资，三个月！ＡＢ") == "拖欠工资三个月ab"
    assert normalise("反映王某多次拖欠工资", drop=("王某",)) == "拖欠工资"


def test_rewording_keeps_most_bigrams() -> None:
    assert dice("拖欠工资三个月", "拖欠工资三个月") == 1.0
    assert dice(normalise("某公司拖欠工资三个月"), normalise("三个月工资被某公司拖欠")) > 0.5
    assert dice("拖欠工资", "小区噪音扰民") == 0.0
    assert containment("拖欠工资", "建筑拖欠工资三个月未付") == 1.0
    assert dice("", "") == 0.0


def test_same_accused_same_place_similar_text_is_the_same_matter() -> None:
    first = matter("某建筑公司拖欠农民工工资三个月，多次讨要未果", units=("unit-a",))
    again = matter("反映某建筑公司欠我们三个月工资一直不给", units=("unit-a",))
    assert compare(again, first).same_matter(THRESHOLD)


def test_another_subject_category_needs_nearly_the_same_words() -> None:
    first = matter("某建筑公司拖欠农民工工资三个月", units=("unit-a",))
    noise = matter("某建筑公司施工噪音扰民", units=("unit-a",), category="environment.noise")
    assert not compare(noise, first).same_matter(THRESHOLD)
    misfiled = matter(
        "某建筑公司拖欠农民工工资三个月", units=("unit-a",), category="commerce.debts"
    )
    assert compare(misfiled, first).same_matter(THRESHOLD)


def test_different_accused_is_a_different_matter_however_alike() -> None:
    first = matter("某建筑公司拖欠农民工工资三个月", units=("unit-a",))
    other = matter("某建筑公司拖欠农民工工资三个月", units=("unit-b",))
    assert compare(other, first).accused is False
    assert not compare(other, first).same_matter(THRESHOLD)


def test_another_county_is_a_different_matter() -> None:
    first = matter("拖欠工资三个月", units=("unit-a",))
    assert not compare(
        matter("拖欠工资三个月", units=("unit-a",), division="370103"), first
    ).same_matter(THRESHOLD)
    assert compare(
        matter("拖欠工资三个月", units=("unit-a",), division="370102001"), first
    ).same_place


def test_unrelated_text_is_a_different_matter() -> None:
    first = matter("小区物业乱收停车费")
    assert not compare(matter("学校食堂卫生条件差"), first).same_matter(THRESHOLD)


def test_a_final_matter_is_not_accepted_again() -> None:
    assert outcome_for(original_final_after_re_review=True) is RepeatOutcome.NOT_ACCEPTED_FINAL
    assert outcome_for(original_final_after_re_review=False) is RepeatOutcome.LINKED


def test_precision_and_recall_on_the_labelled_pairs() -> None:
    """The hand-labelled set (Chinese rewordings, look-alike different matters); the bench
    script bench/intake_repeats.py prints the same figures with every misjudged pair."""
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    assert len(pairs) >= 40
    assert sum(p["same_matter"] for p in pairs) >= 20

    def of(values: dict[str, Any]) -> Matter:
        return Matter(
            frozenset(values["accused_unit_ids"]),
            frozenset(values["accused_persons"]),
            values["division_code"],
            values["subject_category"],
            values["summary"],
        )

    outcomes = [
        (compare(of(p["later"]), of(p["earlier"])).same_matter(THRESHOLD), p["same_matter"])
        for p in pairs
    ]
    true_positives = sum(predicted and actual for predicted, actual in outcomes)
    precision = true_positives / sum(predicted for predicted, _ in outcomes)
    recall = true_positives / sum(actual for _, actual in outcomes)
    assert precision >= 0.9
    assert recall >= 0.85
