"""Telling the petitioner (003 督办制度(六); domain §6.4, §4.8): the ways and the 3 days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from huiyin_shared.calendar import CountingMode
from huiyin_shared.contracts.events.common import ClockName
from huiyin_supervision.domain.deadlines import NOTIFY_PETITIONER, compute, spec_for
from huiyin_supervision.domain.notification import (
    NotificationRefused,
    NotifyChannel,
    Occasion,
    allowed_channels,
    check_notification,
)
from huiyin_supervision.domain.office import OfficeCalendar

CLOSED_ON = date(2026, 3, 2)
NOW = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)


def check(
    channel: NotifyChannel,
    *,
    anonymous: bool = False,
    collective: bool = False,
    occasion: Occasion = Occasion.CLOSURE,
    told_at: datetime = NOW,
    told_on: date = date(2026, 3, 4),
) -> None:
    check_notification(
        channel,
        anonymous=anonymous,
        collective=collective,
        occasion=occasion,
        told_at=told_at,
        told_on=told_on,
        clock_start=CLOSED_ON,
        now=NOW,
    )


def refusal(excinfo: pytest.ExceptionInfo[NotificationRefused]) -> str:
    slug: str = excinfo.value.errors[0]["type"]
    return slug


@pytest.mark.parametrize(
    ("anonymous", "collective", "channel"),
    [
        (False, False, NotifyChannel.WRITTEN_REPLY),  # 000 第二十五条
        (False, True, NotifyChannel.REPRESENTATIVES_MEETING),  # 第二十六条
        (True, False, NotifyChannel.PUBLISHED_RESULT),  # 第二十七条
        (True, True, NotifyChannel.PUBLISHED_RESULT),  # no one to meet
    ],
)
def test_each_kind_of_petition_is_told_its_own_way(
    anonymous: bool, collective: bool, channel: NotifyChannel
) -> None:
    assert allowed_channels(anonymous=anonymous, collective=collective) == {channel}
    check(channel, anonymous=anonymous, collective=collective)
    for other in set(NotifyChannel) - {channel, NotifyChannel.PHONE}:
        with pytest.raises(NotificationRefused) as refused:
            check(other, anonymous=anonymous, collective=collective)
        assert refusal(refused) == "notify-channel-for-petition"


@pytest.mark.parametrize(
    ("anonymous", "collective"), [(False, False), (False, True), (True, False)]
)
def test_a_result_is_never_given_by_phone(anonymous: bool, collective: bool) -> None:
    with pytest.raises(NotificationRefused) as refused:
        check(NotifyChannel.PHONE, anonymous=anonymous, collective=collective)
    assert refusal(refused) == "no-result-by-phone"
    assert "§4.8" in refused.value.errors[0]["message"]


def test_a_transfer_is_not_told_by_phone_either() -> None:
    with pytest.raises(NotificationRefused) as refused:
        check(NotifyChannel.PHONE, occasion=Occasion.TRANSFER)
    assert refusal(refused) == "notify-channel-for-petition"


def test_the_moment_told_is_between_the_occasion_and_now() -> None:
    with pytest.raises(NotificationRefused) as future:
        check(NotifyChannel.WRITTEN_REPLY, told_at=datetime(2026, 3, 4, 7, 0, tzinfo=UTC))
    assert refusal(future) == "told-not-in-future"
    with pytest.raises(NotificationRefused) as early:
        check(NotifyChannel.WRITTEN_REPLY, told_on=date(2026, 3, 1))
    assert refusal(early) == "told-after-occasion"
    check(NotifyChannel.WRITTEN_REPLY, told_on=CLOSED_ON)  # the same day counts


def test_the_policy_line_is_three_calendar_days_from_the_closure() -> None:
    assert NOTIFY_PETITIONER.clock is ClockName.NOTIFY_PETITIONER
    assert NOTIFY_PETITIONER.days == 3
    assert NOTIFY_PETITIONER.counting_mode is CountingMode.CALENDAR_DAYS
    assert NOTIFY_PETITIONER.source == "003 督办制度(六)"


@pytest.mark.parametrize(
    ("closed", "due", "shifted"),
    [
        (date(2026, 3, 2), date(2026, 3, 5), None),  # Monday to Thursday
        (date(2026, 3, 4), date(2026, 3, 9), date(2026, 3, 7)),  # lands on a Saturday
        # National Day 2026: 1-7 October off; 2 October is moved to the 8th.
        (date(2026, 9, 29), date(2026, 10, 8), date(2026, 10, 2)),
        # National Day 2025: 1-8 October off.
        (date(2025, 9, 28), date(2025, 10, 9), date(2025, 10, 1)),
        # Spring Festival 2026: 15-23 February off.
        (date(2026, 2, 13), date(2026, 2, 24), date(2026, 2, 16)),
    ],
)
def test_the_three_day_due_date_moves_over_holidays(
    closed: date, due: date, shifted: date | None, office: OfficeCalendar
) -> None:
    spec = spec_for(NOTIFY_PETITIONER, start=closed, start_basis="Case closed")
    explanation = compute(office, spec)
    assert explanation.due == due
    assert explanation.rule is not None
    assert explanation.rule.source == "003 督办制度(六)"
    assert "Tell the petitioner" in explanation.text
    if shifted is not None:
        assert explanation.shifted_over[0].day == shifted
    else:
        assert not explanation.shifted_over
