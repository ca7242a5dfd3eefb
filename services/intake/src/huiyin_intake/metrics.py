"""Intake's business metrics (names agreed with the dashboard; no ids as labels)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from huiyin_intake.service.registration import Registered

PETITIONS_RECEIVED = Counter(
    "huiyin_petitions_received_total",
    "Petitions registered, by channel.",
    ["channel"],
)
PETITIONS_RECEIVED_BY_KIND = Counter(
    "huiyin_petitions_received_by_kind_total",
    "Petitions registered, by kind (report, accusation, appeal, …).",
    ["kind"],
)
DECISIONS = Counter(
    "huiyin_petition_decisions_total",
    "Acceptance decisions, by outcome (accept, not_accept, refer_out).",
    ["outcome"],
)
REPEATS_LINKED = Counter(
    "huiyin_petitions_repeat_linked_total",
    "Repeat petitions linked to their original instead of opened again.",
)
IDENTITY_READS = Counter(
    "huiyin_identity_reads_total",
    "Attempts to read a petitioner's identity, by whether they were allowed.",
    ["allowed"],
)
TRACKING_LOOKUPS = Counter(
    "huiyin_tracking_lookups_total",
    "Petitioner tracking look-ups, by outcome (found, not_found, rate_limited).",
    ["outcome"],
)
REGISTRATION_GROUP_SIZE = Histogram(
    "huiyin_registration_group_size",
    "Portal submissions of one office numbered and committed together (group commit).",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
REGISTRATIONS_WAITING = Gauge(
    "huiyin_registrations_waiting",
    "Portal submissions waiting for their office's group in progress to commit.",
)


def count_registration(registered: Registered) -> None:
    """Count a committed registration."""
    details = registered.petition.details
    PETITIONS_RECEIVED.labels(details.channel.value).inc()
    PETITIONS_RECEIVED_BY_KIND.labels(details.kind.value).inc()
    if registered.original is not None:
        REPEATS_LINKED.inc()
