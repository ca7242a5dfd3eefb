"""Statistics (domain §6.6): counts by unit, kind, status and overdue state; time to close.

Pure: the caller hands over the period's case rows; reports are monthly (``2026-03``),
quarterly (``2026-Q1``) or annual (``2026``) and render as JSON-ready dicts or CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from huiyin_supervision.domain.deadlines import add_months

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")
DIMENSIONS = ("unit_id", "kind", "status", "overdue")


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    first_day: date
    end_day: date
    """The first day after the period."""


def parse_period(label: str) -> Period:
    """``YYYY-MM`` (a month), ``YYYY-Qn`` (a quarter) or ``YYYY`` (the annual summary)."""
    match = _PERIOD.match(label)
    if match is None:
        raise ValueError("expected a month like 2026-03, a quarter like 2026-Q1 or a year")
    year = int(match.group(1))
    if year < 2000:
        raise ValueError("expected a month like 2026-03, a quarter like 2026-Q1 or a year")
    if match.group(2) is None and match.group(3) is None:
        return Period(label, date(year, 1, 1), date(year + 1, 1, 1))
    if match.group(2):
        first = date(year, int(match.group(2)), 1)
        return Period(label, first, add_months(first, 1))
    first = date(year, 3 * (int(match.group(3)) - 1) + 1, 1)
    return Period(label, first, add_months(first, 3))


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]


def summarise(
    rows: Iterable[Mapping[str, Any]], *, start: datetime, end: datetime
) -> dict[str, Any]:
    """Open-in-period counts per dimension, cases closed in the period, their time to close."""
    items = list(rows)
    counts: dict[str, Counter[str]] = {dim: Counter() for dim in DIMENSIONS}
    closed_days: list[float] = []
    for row in items:
        for dim in DIMENSIONS:
            counts[dim][str(row[dim]).lower()] += 1
        closed_at = row["closed_at"]
        if closed_at is not None and start <= closed_at < end:
            closed_days.append((closed_at - row["opened_at"]).total_seconds() / 86400)
    return {
        "cases": len(items),
        "opened": sum(1 for row in items if start <= row["opened_at"] < end),
        "closed": len(closed_days),
        "by": {dim: dict(sorted(counter.items())) for dim, counter in counts.items()},
        "time_to_close_days": {
            "p50": percentile(closed_days, 0.5),
            "p90": percentile(closed_days, 0.9),
            "p95": percentile(closed_days, 0.95),
        },
    }


def to_csv(report: Mapping[str, Any]) -> str:
    """One line per (dimension, value, count), then the totals and percentiles."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "dimension", "value", "count"])
    period = report["period"]
    for dim, counter in report["by"].items():
        for value, count in counter.items():
            writer.writerow([period, dim, value, count])
    for total in ("cases", "opened", "closed"):
        writer.writerow([period, "total", total, report[total]])
    for name, value in report["time_to_close_days"].items():
        writer.writerow([period, "time_to_close_days", name, "" if value is None else value])
    return out.getvalue()
