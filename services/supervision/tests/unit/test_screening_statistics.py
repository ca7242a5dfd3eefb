"""Screening rules and statistics, on plain facts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from huiyin_shared.contracts.events.case import ScreeningCategory
from huiyin_supervision.domain.screening import OpenCase, PetitionSeen, ScreeningRules, screen
from huiyin_supervision.domain.statistics import parse_period, percentile, summarise, to_csv

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


def petition(
    ref: str | None,
    days_ago: int,
    topic: str = "labour.wages",
    people: int = 1,
    collective: bool = False,
) -> PetitionSeen:
    return PetitionSeen(
        uuid.uuid4(), "office-1", ref, topic, collective, people, NOW - timedelta(days=days_ago)
    )


def test_screening_flags_each_kind_once_per_run() -> None:
    petitions = [
        petition("pr_aaaaaaaaaaaaaaaa", 3),
        petition("pr_aaaaaaaaaaaaaaaa", 20),
        petition("pr_bbbbbbbbbbbbbbbb", 2),
        petition(None, 1, people=12, collective=True),
        *[petition(None, 5, topic="housing.demolition") for _ in range(10)],
    ]
    old = OpenCase(uuid.uuid4(), uuid.uuid4(), "office-1", NOW - timedelta(days=120), False, "l-2")
    rules = ScreeningRules()
    found = screen(petitions, [old], now=NOW, rules=rules, run_key="P1")
    categories = sorted(f.category.value for f in found)
    assert categories == [
        "collective_petition",
        "hot_topic",
        "long_pending",
        "repeat_petitioner",
    ]
    repeat = next(f for f in found if f.category is ScreeningCategory.REPEAT_PETITIONER)
    assert repeat.petitioner_ref == "pr_aaaaaaaaaaaaaaaa"
    assert len(repeat.petition_ids) == 2
    pending = next(f for f in found if f.category is ScreeningCategory.LONG_PENDING)
    assert pending.suggested_owner == "l-2"
    again = screen(petitions, [old], now=NOW, rules=rules, run_key="P1")
    assert [f.flag_id for f in again] == [f.flag_id for f in found]


def test_periods_and_percentiles() -> None:
    assert parse_period("2026-Q4").end_day == date(2027, 1, 1)
    assert parse_period("2026-02").end_day == date(2026, 3, 1)
    assert parse_period("2026").first_day == date(2026, 1, 1)
    assert parse_period("2026").end_day == date(2027, 1, 1)
    with pytest.raises(ValueError, match="month"):
        parse_period("2026-13")
    assert percentile([], 0.5) is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert percentile([float(n) for n in range(1, 101)], 0.95) == 95.0


def test_a_summary_and_its_csv() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = datetime(2026, 4, 1, tzinfo=UTC)
    rows = [
        {
            "unit_id": "u1",
            "kind": "appeal",
            "status": "closed",
            "overdue": False,
            "opened_at": start,
            "closed_at": start + timedelta(days=10),
        },
        {
            "unit_id": "u1",
            "kind": "report",
            "status": "in_progress",
            "overdue": True,
            "opened_at": start - timedelta(days=70),
            "closed_at": None,
        },
    ]
    report = {"period": "2026-03", **summarise(rows, start=start, end=end)}
    assert report["by"]["unit_id"] == {"u1": 2}
    assert report["by"]["overdue"] == {"false": 1, "true": 1}
    assert report["closed"] == 1
    assert report["opened"] == 1
    assert report["time_to_close_days"]["p50"] == 10.0
    text = to_csv(report)
    assert "2026-03,unit_id,u1,2" in text
    assert "2026-03,time_to_close_days,p50,10.0" in text
