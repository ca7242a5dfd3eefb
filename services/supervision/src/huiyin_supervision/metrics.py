"""Supervision's business metrics (the dashboard reads these names)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CASES_OPEN = Gauge("huiyin_cases_open", "Cases still owed by a unit, by handling unit.", ["unit"])
CASES_OVERDUE = Gauge(
    "huiyin_cases_overdue", "Open cases with a clock past its due date, by unit.", ["unit"]
)
TIME_TO_CLOSE = Histogram(
    "huiyin_case_time_to_close_seconds",
    "From a case's opening to its closure.",
    buckets=tuple(day * 86400 for day in (1, 3, 7, 15, 30, 45, 60, 90, 120, 180, 365)),
)
REMINDERS_SENT = Counter("huiyin_reminders_sent_total", "Reminders (催办) sent to handling units.")
NOTICES_ISSUED = Counter(
    "huiyin_supervision_notices_issued_total", "Supervision notices (督办告知书) issued."
)
DEADLINES_PROVISIONAL = Gauge(
    "huiyin_deadlines_provisional",
    "Running due dates computed on a year without official holiday data.",
)
TIMERS_FIRED = Counter(
    "huiyin_supervision_timers_fired_total", "Timer moments acted on, by kind.", ["kind"]
)
