"""Every Prometheus metric the platform kit exports, defined once per process.

Names follow Prometheus conventions (base units, ``_total`` for counters, ``_seconds`` for
durations). Labels are bounded sets — route templates, queue names, event types — never ids.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# HTTP — route is the path template (/v1/petitions/{petition_id}), never the raw path.
HTTP_REQUESTS = Counter(
    "huiyin_http_requests_total",
    "HTTP requests handled, by method, route template and status code.",
    ["service", "method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "huiyin_http_request_duration_seconds",
    "Time to handle an HTTP request, by method and route template.",
    ["service", "method", "route"],
    buckets=LATENCY_BUCKETS,
)

# Messaging — per event type for publishing, per queue for consuming.
MESSAGES_PUBLISHED = Counter(
    "huiyin_messages_published_total",
    "Events published to the broker and confirmed by it.",
    ["service", "event_type"],
)
MESSAGES_PUBLISH_FAILED = Counter(
    "huiyin_messages_publish_failed_total",
    "Publish attempts the broker did not confirm (the outbox row stays unsent and is retried).",
    ["service", "event_type"],
)
MESSAGES_CONSUMED = Counter(
    "huiyin_messages_consumed_total",
    "Messages consumed and acknowledged, by queue and outcome (processed or duplicate).",
    ["queue", "outcome"],
)
MESSAGES_FAILED = Counter(
    "huiyin_messages_failed_total",
    "Handler failures; the message is returned to the queue until its delivery limit.",
    ["queue"],
)
MESSAGES_DEAD_LETTERED = Counter(
    "huiyin_messages_dead_lettered_total",
    "Messages sent to the dead-letter queue, by queue and reason (poison or delivery_limit).",
    ["queue", "reason"],
)
HANDLER_DURATION = Histogram(
    "huiyin_message_handler_duration_seconds",
    "Time from receiving a message to acknowledging it, by queue.",
    ["queue"],
    buckets=LATENCY_BUCKETS,
)
DEAD_LETTER_QUEUE_DEPTH = Gauge(
    "huiyin_dead_letter_queue_messages",
    "Messages waiting in a dead-letter queue (sampled by the consumer).",
    ["queue"],
)

# Outbox — sampled by the relay.
OUTBOX_BACKLOG = Gauge(
    "huiyin_outbox_backlog_messages",
    "Outbox rows not yet confirmed by the broker.",
    ["service"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "huiyin_outbox_oldest_unsent_age_seconds",
    "Age of the oldest outbox row not yet confirmed by the broker (0 when empty).",
    ["service"],
)

# Background work (sweeps, timers) — task is the name a service gave it.
BACKGROUND_RESTARTS = Counter(
    "huiyin_background_task_restarts_total",
    "Background tasks that crashed and were restarted (after a backoff).",
    ["service", "task"],
)

# Business calendar.
PROVISIONAL_DEADLINES = Counter(
    "huiyin_calendar_provisional_computations_total",
    "Date computations that touched a year the business calendar has no official data for.",
)
