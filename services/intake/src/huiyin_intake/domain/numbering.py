"""Registration numbers (统一收拆编号, 002 五.1): sequential per registering office and year."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MAX_REGISTRATION_NUMBER_LENGTH = 64
"""The event contracts' limit for a registration number."""

SEQUENCE_DIGITS = 6

MAX_OFFICE_ID_LENGTH = MAX_REGISTRATION_NUMBER_LENGTH - len(f"-0000-{0:0{SEQUENCE_DIGITS}d}")
"""The longest office id whose numbers still fit the contracts (52 characters)."""


def registration_year(registered_at: datetime, zone: ZoneInfo) -> int:
    """The numbering year: the year of the registration instant in the office's time zone.

    A petition registered at 2026-12-31T17:00Z in Asia/Shanghai belongs to 2027.
    """
    if registered_at.tzinfo is None:
        raise ValueError("registered_at must be timezone-aware")
    return registered_at.astimezone(zone).year


def format_registration_number(office_id: str, year: int, sequence: int) -> str:
    """``{office_id}-{year}-{sequence:06d}``, e.g. ``office-370102-2026-000042``."""
    if not office_id:
        raise ValueError("office_id must not be empty")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, got {year}")
    if sequence < 1:
        raise ValueError(f"sequence numbers start at 1, got {sequence}")
    number = f"{office_id}-{year}-{sequence:0{SEQUENCE_DIGITS}d}"
    if len(number) > MAX_REGISTRATION_NUMBER_LENGTH:
        raise ValueError(
            f"registration number {number!r} is longer than {MAX_REGISTRATION_NUMBER_LENGTH}"
        )
    return number
