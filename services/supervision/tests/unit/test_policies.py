from __future__ import annotations

import pytest

from huiyin_shared.calendar import CountingMode
from huiyin_supervision.domain.policies import POLICIES, ClockKind, ClockPolicy, policy_for


def test_acceptance_notice_is_15_calendar_days_from_receipt() -> None:
    policy = policy_for(ClockKind.ACCEPTANCE_NOTICE)
    assert policy.clock is ClockKind.ACCEPTANCE_NOTICE
    assert policy.days == 15
    assert policy.counting_mode is CountingMode.CALENDAR_DAYS
    assert policy.source == "002 五.1; 003"


def test_every_clock_has_a_policy_under_its_own_name() -> None:
    assert set(POLICIES) == set(ClockKind)
    assert all(key is policy.clock for key, policy in POLICIES.items())


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        POLICIES[ClockKind.ACCEPTANCE_NOTICE] = POLICIES[ClockKind.ACCEPTANCE_NOTICE]  # type: ignore[index]


def test_a_policy_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        ClockPolicy(
            clock=ClockKind.ACCEPTANCE_NOTICE,
            description="nothing",
            days=0,
            counting_mode=CountingMode.CALENDAR_DAYS,
            source="none",
            starts_from="receipt",
        )
