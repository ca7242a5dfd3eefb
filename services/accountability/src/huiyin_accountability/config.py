from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huiyin_shared.settings import ServiceSettings


class AccountabilitySettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HUIYIN_ACCOUNTABILITY_", extra="ignore", frozen=True
    )

    service_name: str = "accountability"
    http_port: int = 8004
    ledger_verify_page_size: int = Field(
        default=1000, ge=1, description="Entries read per query while verifying the chain."
    )
