from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from huiyin_intake.domain.numbering import (
    MAX_OFFICE_ID_LENGTH,
    format_registration_number,
    registration_year,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_number_is_office_year_and_six_digit_sequence() -> None:
    assert format_registration_number("office-370102", 2026, 42) == "office-370102-2026-000042"
    assert format_registration_number("XF", 2026, 1) == "XF-2026-000001"


def test_sequence_beyond_six_digits_widens_instead_of_wrapping() -> None:
    assert format_registration_number("XF", 2026, 1_234_567) == "XF-2026-1234567"


@pytest.mark.parametrize(
    ("office", "year", "sequence", "problem"),
    [("", 2026, 1, "office_id"), ("XF", 26, 1, "four digits"), ("XF", 2026, 0, "start at 1")],
)
def test_invalid_parts_are_refused(office: str, year: int, sequence: int, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        format_registration_number(office, year, sequence)


def test_longest_office_id_still_fits_the_contract_limit() -> None:
    office = "o" * MAX_OFFICE_ID_LENGTH
    assert len(format_registration_number(office, 2026, 999_999)) == 64
    with pytest.raises(ValueError, match="longer than 64"):
        format_registration_number(office + "o", 2026, 1)


def test_year_is_taken_in_the_office_time_zone() -> None:
    new_years_eve_utc = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 Shanghai
    assert registration_year(new_years_eve_utc, SHANGHAI) == 2027
    assert registration_year(new_years_eve_utc - timedelta(seconds=1), SHANGHAI) == 2026
    assert registration_year(new_years_eve_utc, ZoneInfo("UTC")) == 2026


def test_year_accepts_any_aware_instant_but_no_naive_one() -> None:
    plus_nine = datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=9)))
    assert registration_year(plus_nine, SHANGHAI) == 2026  # 23:30 on 31 December in Shanghai
    with pytest.raises(ValueError, match="timezone-aware"):
        registration_year(datetime(2026, 6, 1), SHANGHAI)
