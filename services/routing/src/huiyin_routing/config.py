from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from huiyin_shared.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_ROUTING_", extra="ignore", frozen=True)

    service_name: str = "routing"
    http_port: int = 8002
