"""The escalation ladder setting."""

from __future__ import annotations

import pytest

from huiyin_shared.contracts.events.case import EscalationLevel
from huiyin_supervision.config import SupervisionSettings, parse_ladder


def test_the_default_ladder_climbs_every_step() -> None:
    ladder = SupervisionSettings().ladder()
    assert [step.level for step in ladder] == list(EscalationLevel)[1:]
    assert [step.working_days for step in ladder] == [1, 5, 10, 20]


def test_a_shorter_ladder_can_be_configured() -> None:
    ladder = parse_ladder("2:leader_in_charge, 8:superior_body")
    assert [(s.working_days, s.level.value) for s in ladder] == [
        (2, "leader_in_charge"),
        (8, "superior_body"),
    ]


@pytest.mark.parametrize(
    "text",
    ["5:unit_head,1:leader_in_charge", "1:leader_in_charge,5:unit_head", "x:unit_head", "1:mayor"],
)
def test_a_ladder_that_does_not_climb_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="escalation"):
        parse_ladder(text)
