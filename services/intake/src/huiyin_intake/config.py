"""Intake's settings: every one from the environment (``HUIYIN_INTAKE_<FIELD>``).

The identity keys are 32-byte AES keys, base64-encoded, by key id; the active one encrypts,
all of them decrypt, so a key can be rotated in (``huiyin-intake rotate-keys``) and the old
one retired once nothing is encrypted under it. The index key derives the blind indexes,
the pseudonymous petitioner references and the query-code hashes: it cannot be rotated
without re-indexing, keep it in the secret store with the others.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from huiyin_shared.settings import GroupWaitSeconds, PoolSize, ServiceSettings

DEV_IDENTITY_KEY_ID = "dev-1"
DEV_IDENTITY_KEY = "aHVpeWluLWRldi1pZGVudGl0eS1rZXktMzItYnl0ZXM="
"""A development key (32 bytes, base64): fine on a laptop, never in production."""
DEV_INDEX_KEY = "huiyin-development-index-key-change-me-in-production"


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_INTAKE_", extra="ignore", frozen=True)

    service_name: str = "intake"
    http_port: int = 8001
    # The timeline is read by people: a tenth of a second's wait is unseen, and applying its
    # events many at a time instead of one by one frees the CPU for submissions.
    consumer_group_wait_seconds: GroupWaitSeconds = 0.1

    # The front door: portal bursts hold a connection per request while it reads. A pool
    # smaller than the usual number of requests in progress opens and closes a connection
    # for every request over it (SQLAlchemy drops overflow connections when they come back).
    database_pool_size: PoolSize = 20

    identity_keys: dict[str, SecretStr] = Field(
        default_factory=lambda: {DEV_IDENTITY_KEY_ID: SecretStr(DEV_IDENTITY_KEY)},
        description='JSON object of key id → base64 AES-256 key, e.g. {"2026-11": "…"}.',
    )
    identity_active_key_id: str = Field(
        default=DEV_IDENTITY_KEY_ID,
        description="The key id of identity_keys that encrypts new identities.",
    )
    index_key: SecretStr = Field(
        default=SecretStr(DEV_INDEX_KEY),
        description="HMAC key of the blind indexes, petitioner references and query-code hashes.",
    )

    tracking_attempts_per_client_per_minute: int = Field(
        default=20, ge=1, description="Tracking look-ups a client may make per minute."
    )
    tracking_attempts_per_number_per_hour: int = Field(
        default=10, ge=1, description="Tracking look-ups of one registration number per hour."
    )
    idempotency_retention_hours: int = Field(
        default=24, ge=1, description="How long a portal's Idempotency-Key answer is kept."
    )
    purge_interval_seconds: float = Field(
        default=3600,
        gt=0,
        description="How often expired idempotency answers and rate-limit windows are deleted.",
    )
    registration_group_max: int = Field(
        default=32,
        ge=1,
        le=500,
        description=(
            "Most portal submissions of one office numbered and committed together; the ones "
            "that arrive while a group commits form the next."
        ),
    )
    registration_wait_seconds: float = Field(
        default=30,
        gt=0,
        description=(
            "Longest a portal submission waits for its registration before it is answered 503 "
            "(a stuck office: its counter locked); a retry with the same Idempotency-Key is safe."
        ),
    )
    review_request_window_days: int = Field(
        default=30, ge=1, description="Days after a result within which review may be asked."
    )
    repeat_similarity_threshold: float = Field(
        default=0.2,
        gt=0,
        lt=1,
        description="Character-bigram similarity from which two summaries are the same matter.",
    )

    def development_secrets(self) -> list[str]:
        found = super().development_secrets()
        if any(key.get_secret_value() == DEV_IDENTITY_KEY for key in self.identity_keys.values()):
            found.append("identity_keys")
        if self.index_key.get_secret_value() == DEV_INDEX_KEY:
            found.append("index_key")
        return found

    @model_validator(mode="after")
    def _active_key_known(self) -> IntakeSettings:
        if self.identity_active_key_id not in self.identity_keys:
            raise ValueError("identity_active_key_id must name one of identity_keys")
        return self
