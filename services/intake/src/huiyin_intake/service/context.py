"""What intake's use cases need besides a unit of work; built once by the bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from huiyin_intake.crypto import IdentityCipher, Keyed
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.clock import Clock

SYSTEM_ACTOR = "system:intake"
"""Who decided when intake's rules decided on their own (a repeat of a final matter)."""


@dataclass(frozen=True)
class IntakeContext:
    clock: Clock
    zone: ZoneInfo
    calendar: BusinessCalendar
    cipher: IdentityCipher
    keyed: Keyed
    review_window: timedelta = timedelta(days=30)
    repeat_threshold: float = 0.2
    tracking_per_client_per_minute: int = 20
    tracking_failures_per_number_per_hour: int = 10
