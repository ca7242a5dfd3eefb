from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from huiyin_shared.settings import ServiceSettings


class SupervisionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_SUPERVISION_", extra="ignore", frozen=True)

    service_name: str = "supervision"
    http_port: int = 8003

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Deadlines are dates in this zone: refuse to start with one that cannot be loaded.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
