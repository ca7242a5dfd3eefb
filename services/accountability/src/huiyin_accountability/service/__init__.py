"""Accountability's use cases. They take a unit of work and never commit."""

from huiyin_accountability.service.ledger import record_event, record_events, verify_ledger

__all__ = ["record_event", "record_events", "verify_ledger"]
