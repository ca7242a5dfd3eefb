from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from huiyin_shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_INTAKE_", extra="ignore", frozen=True)

    service_name: str = "intake"
    http_port: int = 8001
