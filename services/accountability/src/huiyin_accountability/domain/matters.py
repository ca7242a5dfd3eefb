"""Accountability matters: a possible violation awaiting a discipline officer's check."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from huiyin_shared.contracts.events.accountability import MatterSource
from huiyin_shared.errors import Conflict


class MatterStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    CONFIRMED = "confirmed"


class MatterAlreadyDecided(Conflict):
    slug = "matter-already-decided"
    title = "The matter was already confirmed or dismissed"


@dataclass(frozen=True)
class Matter:
    matter_id: uuid.UUID
    source: MatterSource
    title: str
    summary: str
    subject_unit_ids: tuple[str, ...]
    subject_staff_ids: tuple[str, ...]
    evidence_event_ids: tuple[uuid.UUID, ...]
    opened_at: datetime
    status: MatterStatus = MatterStatus.OPEN
    rule_id: str | None = None
    subject_key: str | None = None
    rule_source: str | None = None
    petition_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    opened_by: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    dismissal_reason: str | None = None

    def dismiss(self, *, by: str, reason: str, at: datetime) -> Matter:
        self._still_open()
        return replace(
            self,
            status=MatterStatus.DISMISSED,
            decided_by=by,
            decided_at=at,
            dismissal_reason=reason,
        )

    def confirm(self, *, by: str, at: datetime) -> Matter:
        self._still_open()
        return replace(self, status=MatterStatus.CONFIRMED, decided_by=by, decided_at=at)

    def _still_open(self) -> None:
        if self.status is not MatterStatus.OPEN:
            raise MatterAlreadyDecided(
                f"matter {self.matter_id} is already {self.status.value}",
                errors=[{"field": "matter_id", "message": self.status.value, "type": "state"}],
            )
