from __future__ import annotations

from huiyin_intake.entrypoints.consumers import HANDLERS
from huiyin_shared.contracts.events import consumed_by
from huiyin_shared.contracts.events.common import Service


def test_the_consumer_binds_exactly_what_the_catalogue_says_intake_consumes() -> None:
    assert sorted(HANDLERS) == consumed_by(Service.INTAKE)
