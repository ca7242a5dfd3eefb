from __future__ import annotations

import itertools
from datetime import time

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from huiyin_shared.contracts.events.case import EscalationLevel
from huiyin_shared.settings import ServiceSettings
from huiyin_supervision.domain.screening import ScreeningRules
from huiyin_supervision.domain.timers import EscalationStep, TimerConfig


class SupervisionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_SUPERVISION_", extra="ignore", frozen=True)

    service_name: str = "supervision"
    http_port: int = 8003

    commitment_offices: frozenset[str] = Field(
        default=frozenset(),
        description=(
            "Offices applying the service-commitment limits (general 30, important 90 days) "
            "instead of the statutory 60 days; a JSON list."
        ),
    )
    reminder_working_days_before: int = Field(
        default=3, ge=0, le=30, description="Working days before a due date the reminder goes."
    )
    work_starts: time = Field(
        default=time(9, 0), description="Reminders are delivered from this local time…"
    )
    work_ends: time = Field(default=time(17, 30), description="…until this local time.")
    escalation_ladder: str = Field(
        default="1:unit_head,5:leader_in_charge,10:leader_ownership,20:superior_body",
        description=(
            "Escalation steps, 'working days after the due date:level', comma-separated, "
            "going up the ladder."
        ),
    )
    screening_owner_id: str = Field(
        default="office-leader",
        description="Owner of screening flags when no leader in charge is known.",
    )
    screening_due_working_days: int = Field(
        default=10, ge=1, le=60, description="Working days given to act on a screening flag."
    )
    screening_long_pending_days: int = Field(
        default=90, ge=1, description="Days open after which a case is flagged long-pending."
    )
    screening_hot_topic_threshold: int = Field(
        default=10, ge=2, description="Petitions sharing a topic from which it is a hot topic."
    )
    sweep_interval_seconds: float = Field(
        default=30.0, gt=0, description="How often due timers are looked for."
    )
    sweep_batch_size: int = Field(
        default=500, ge=1, description="Timers claimed per sweep transaction."
    )

    def ladder(self) -> tuple[EscalationStep, ...]:
        return parse_ladder(self.escalation_ladder)

    def timer_config(self) -> TimerConfig:
        return TimerConfig(
            reminder_working_days_before=self.reminder_working_days_before,
            work_starts=self.work_starts,
            work_ends=self.work_ends,
            ladder=self.ladder(),
        )

    @field_validator("escalation_ladder")
    @classmethod
    def _valid_ladder(cls, value: str) -> str:
        parse_ladder(value)
        return value


def parse_ladder(text: str) -> tuple[EscalationStep, ...]:
    """``"1:unit_head,5:leader_in_charge"`` → steps; days must rise with the levels."""
    steps = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        days, _, level = item.partition(":")
        try:
            steps.append(EscalationStep(int(days), EscalationLevel(level.strip())))
        except ValueError as exc:
            raise ValueError(f"bad escalation step {item!r}: {exc}") from None
    ladder = list(EscalationLevel)
    for lower, upper in itertools.pairwise(steps):
        if upper.working_days < lower.working_days or ladder.index(upper.level) <= ladder.index(
            lower.level
        ):
            raise ValueError("escalation steps must climb the ladder over time")
    return tuple(steps)


def screening_rules(settings: SupervisionSettings) -> ScreeningRules:
    return ScreeningRules(
        long_pending_days=settings.screening_long_pending_days,
        hot_topic_threshold=settings.screening_hot_topic_threshold,
    )
