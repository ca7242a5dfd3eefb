"""The one envelope every message on the broker travels in."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Envelope(BaseModel):
    """Metadata common to all events; ``data`` is validated against the catalogue model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: uuid.UUID = Field(description="Unique event id; consumers deduplicate on it.")
    type: str = Field(
        pattern=r"^[a-z_]+(\.[a-z_]+)+$", description="Event type, e.g. petition.accepted"
    )
    version: int = Field(ge=1, description="Schema version of data for this type.")
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1, description="The service that produced the event.")
    correlation_id: str | None = Field(default=None, max_length=200)
    causation_id: uuid.UUID | None = Field(
        default=None, description="Id of the event (or request) that caused this one."
    )
    subject: str = Field(
        min_length=1, max_length=200, description="What the event is about, e.g. petition:<id>."
    )
    data: dict[str, Any]
