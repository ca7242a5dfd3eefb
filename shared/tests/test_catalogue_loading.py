"""A process that never imports the event modules still reads every domain event."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from huiyin_shared.contracts.catalogue import contract_for
assert "huiyin_shared.contracts.events" not in sys.modules
print(contract_for("petition.registered", 1).__name__)
"""


def test_lookup_loads_the_domain_catalogue() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "PetitionRegistered"
