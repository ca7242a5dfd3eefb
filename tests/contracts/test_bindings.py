"""Every queue binding a service makes is declared in the catalogue.

Bindings come from each service's handlers; the AsyncAPI document comes from the catalogue,
which also declares the consumers still being built. A binding missing from the catalogue
would be a consumer the published AsyncAPI document does not show.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from huiyin_accountability.bootstrap import bootstrap as accountability
from huiyin_intake.bootstrap import bootstrap as intake
from huiyin_routing.bootstrap import bootstrap as routing
from huiyin_shared.contracts.events import consumed_by, domain_contracts, produced_by
from huiyin_shared.contracts.events.common import Service
from huiyin_shared.messaging.consumer import ALL_EVENTS
from huiyin_shared.runtime import ServiceApp
from huiyin_supervision.bootstrap import bootstrap as supervision

BOOTSTRAPS: dict[Service, Callable[..., ServiceApp]] = {
    Service.INTAKE: intake,
    Service.ROUTING: routing,
    Service.SUPERVISION: supervision,
    Service.ACCOUNTABILITY: accountability,
}


def bound_types(service: Service) -> set[str]:
    app = BOOTSTRAPS[service](consumers=True)
    return {t for consumer in app.platform.consumers for t in consumer.event_types}


@pytest.mark.parametrize("service", list(Service))
def test_every_binding_is_declared(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"HUIYIN_{service.value.upper()}_DATA_DIR", str(tmp_path))
    bound = bound_types(service)
    declared = set(consumed_by(service))
    if ALL_EVENTS in bound:
        everything_else = {
            key.type for key in domain_contracts() if key.type not in set(produced_by(service))
        }
        assert declared == everything_else, "a catch-all consumer is declared for every event"
    else:
        assert bound <= declared, f"undeclared bindings: {sorted(bound - declared)}"
