from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huiyin_routing.domain.decision import RoutingPolicy
from huiyin_routing.service.outcomes import RoutingRules
from huiyin_shared.contracts.events.common import PetitionKind
from huiyin_shared.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_ROUTING_", extra="ignore", frozen=True)

    service_name: str = "routing"
    http_port: int = 8002

    bounce_threshold: int = Field(
        default=2,
        ge=0,
        description="Returns a petition may take before a leader decides its routing (§5.6).",
    )
    transfer_kinds: list[PetitionKind] = Field(
        default=[PetitionKind.SUGGESTION, PetitionKind.INQUIRY],
        description="Kinds transferred without a result report; all others are assigned.",
    )

    def routing_rules(self) -> RoutingRules:
        return RoutingRules(
            policy=RoutingPolicy(transfer_kinds=frozenset(self.transfer_kinds)),
            bounce_threshold=self.bounce_threshold,
        )
