from __future__ import annotations

from pathlib import Path

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
    ledger_batch_size: int = Field(
        default=32, ge=1, description="Messages appended to the ledger per transaction, at most."
    )
    ledger_batch_wait_seconds: float = Field(
        default=0.1, ge=0, description="How long a message waits for others to join its batch."
    )
    trigger_rules_file: Path | None = Field(
        default=None, description="A rule file replacing the shipped rules.yaml."
    )
    timer_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often due trigger checks and deadlines are looked at."
    )
    timer_batch_size: int = Field(
        default=100, ge=1, description="Due checks and deadlines claimed per transaction."
    )
    ledger_verify_interval_seconds: float = Field(
        default=21600,
        ge=0,
        description="Verify the whole chain this often (sets huiyin_ledger_chain_intact); 0: never.",
    )
