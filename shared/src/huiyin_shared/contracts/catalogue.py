"""The versioned catalogue of event contracts.

Each event's ``data`` is a pydantic model registered here under its type and version.
Producers build envelopes with :func:`build_envelope`; consumers read them with
:func:`read_event`, which validates the data against the same model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from huiyin_shared.contracts.envelope import Envelope


class EventData(BaseModel):
    """Base of every event payload. Subclasses are registered with :func:`event`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    event_version: ClassVar[int]


@dataclass(frozen=True)
class ContractKey:
    type: str
    version: int


CATALOGUE: dict[ContractKey, type[EventData]] = {}

E = TypeVar("E", bound=type[EventData])


def event(type_: str, version: int = 1) -> Callable[[E], E]:
    """Register an event payload model under its type and version."""

    def register(cls: E) -> E:
        key = ContractKey(type_, version)
        if key in CATALOGUE:
            raise ValueError(f"event contract {type_} v{version} registered twice")
        cls.event_type = type_
        cls.event_version = version
        CATALOGUE[key] = cls
        return cls

    return register


class UnknownEventError(LookupError):
    """The catalogue has no contract for this type and version."""


def contract_for(type_: str, version: int) -> type[EventData]:
    _load_domain_contracts()
    try:
        return CATALOGUE[ContractKey(type_, version)]
    except KeyError:
        raise UnknownEventError(f"no contract for {type_} v{version}") from None


def build_envelope(
    data: EventData,
    *,
    producer: str,
    subject: str,
    occurred_at: datetime,
    correlation_id: str | None = None,
    causation_id: uuid.UUID | None = None,
) -> Envelope:
    return Envelope(
        id=uuid.uuid4(),
        type=data.event_type,
        version=data.event_version,
        occurred_at=occurred_at,
        producer=producer,
        correlation_id=correlation_id,
        causation_id=causation_id,
        subject=subject,
        data=data.model_dump(mode="json"),
    )


def read_event(envelope: Envelope) -> EventData:
    """Validate an envelope's data against its contract."""
    return contract_for(envelope.type, envelope.version).model_validate(envelope.data)


def all_contracts() -> dict[ContractKey, type[EventData]]:
    """Every registered contract, after importing the modules that define them."""
    _load_domain_contracts()
    return dict(CATALOGUE)


def _load_domain_contracts() -> None:
    """Register the domain catalogue, whoever asks first.

    A process that only reads events (the ledger's catch-all consumer) never imports the
    event modules itself; without this it would find every type unknown.
    """
    from huiyin_shared.contracts import events  # noqa: F401
