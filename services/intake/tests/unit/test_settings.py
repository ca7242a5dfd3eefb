"""Intake's settings: the secrets still at their published development defaults, and its
own defaults of kit settings, which keep the kit's limits."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr, ValidationError

from huiyin_intake.config import IntakeSettings


def test_every_development_default_secret_is_named() -> None:
    assert IntakeSettings().development_secrets() == [
        "auth_token_key",
        "identity_keys",
        "index_key",
    ]


def test_a_deployment_with_its_own_keys_has_none() -> None:
    own = IntakeSettings(
        auth_token_key=SecretStr("a-key-of-this-deployment-only"),
        identity_keys={"2026-11": SecretStr(base64.b64encode(b"k" * 32).decode())},
        identity_active_key_id="2026-11",
        index_key=SecretStr("an-index-key-of-this-deployment-only"),
    )
    assert own.development_secrets() == []


@pytest.mark.parametrize(
    ("setting", "value"), [("consumer_group_wait_seconds", 9), ("database_pool_size", 0)]
)
def test_intakes_own_defaults_keep_the_kits_limits(setting: str, value: float) -> None:
    with pytest.raises(ValidationError, match=setting):
        IntakeSettings(**{setting: value})
