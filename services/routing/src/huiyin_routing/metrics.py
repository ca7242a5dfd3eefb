"""Routing's business metrics (names agreed with the dashboard)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

DECISIONS = Counter(
    "huiyin_routing_decisions_total",
    "Routing decisions taken, automatic or manual, by mode (unroutable: no competent unit).",
    ["mode"],
)
MANUAL_DECISIONS_REQUIRED = Counter(
    "huiyin_routing_manual_decisions_required_total",
    "Petitions handed to a leader for a manual routing decision after too many returns.",
)
DECISION_DURATION = Histogram(
    "huiyin_routing_decision_duration_seconds",
    "Time to compute one routing decision against the loaded registry snapshot.",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1),
)
