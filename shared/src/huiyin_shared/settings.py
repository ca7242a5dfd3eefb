"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TokenAlgorithm = Literal["HS256", "EdDSA", "ES256", "RS256"]

DEV_TOKEN_KEY = "huiyin-local-development-key-change-me-in-production"  # noqa: S105
"""The default staff-token HMAC key: fine on a laptop, documented as unsafe elsewhere."""


PoolSize = Annotated[int, Field(ge=1)]
"""``database_pool_size``; a service that needs another default declares it with this type."""

GroupWaitSeconds = Annotated[
    float,
    Field(
        ge=0,
        le=5,
        description=(
            "How long an event waits for others to join its transaction (0: none): fewer "
            "transactions, and less CPU per event, for that much more latency."
        ),
    ),
]
"""``consumer_group_wait_seconds``; a service that needs another default declares it with
this type, so its limits and description stay the kit's."""


class ServiceSettings(BaseSettings):
    """Base settings. A service subclass sets ``service_name`` and ``env_prefix``.

    Every field can be set from the environment as ``<PREFIX><FIELD>``, e.g.
    ``HUIYIN_INTAKE_DATABASE_URL``. Defaults make a local run work with no configuration.
    """

    model_config = SettingsConfigDict(env_prefix="HUIYIN_", extra="ignore", frozen=True)

    service_name: str = "huiyin"

    # Database: a SQLite file under data_dir when no URL is given.
    database_url: SecretStr | None = None
    data_dir: Path = Path("var")
    database_pool_size: PoolSize = 10

    # Broker and event topology.
    amqp_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    events_exchange: str = "huiyin.events"
    queue_prefix: str = "huiyin"
    consumer_prefetch: int = Field(default=32, ge=1)
    consumer_concurrency: int = Field(default=4, ge=1)
    consumer_group_wait_seconds: GroupWaitSeconds = 0.0
    delivery_limit: int = Field(default=5, ge=1)
    publish_timeout_seconds: float = Field(default=10.0, gt=0)
    relay_batch_size: int = Field(default=200, ge=1)
    relay_poll_interval_seconds: float = Field(default=1.0, gt=0)
    broker_retry_max_seconds: float = Field(default=10.0, gt=0)
    broker_heartbeat_seconds: int = Field(default=10, ge=1, le=60)

    # HTTP.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)

    # Staff bearer tokens: an HMAC secret (HS256) or the identity provider's PEM public key.
    auth_token_key: SecretStr = SecretStr(DEV_TOKEN_KEY)
    auth_token_algorithm: TokenAlgorithm = "HS256"  # noqa: S105 (an algorithm name)
    auth_token_issuer: str | None = None
    auth_token_audience: str | None = None
    refuse_development_keys: bool = Field(
        default=False,
        description=(
            "Refuse to serve while a secret is still its published development default "
            "(set it in production; without it such a start only logs a warning)."
        ),
    )

    # Logging.
    log_format: Literal["json", "console"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Time: the office's zone for deadlines; a controllable clock only when a file is named.
    timezone: str = "Asia/Shanghai"
    clock_control_file: Path | None = None
    calendar_override_file: Path | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Deadlines are dates in this zone: refuse to start with one that cannot be loaded.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def development_secrets(self) -> list[str]:
        """The secret settings still at their published development defaults."""
        if self.auth_token_key.get_secret_value() == DEV_TOKEN_KEY:
            return ["auth_token_key"]
        return []

    def zone(self) -> ZoneInfo:
        """The office's time zone, in which deadlines are dates."""
        return ZoneInfo(self.timezone)

    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to a SQLite file named after the service."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.db')}"
