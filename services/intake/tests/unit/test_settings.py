"""Intake's settings name the secrets still at their published development defaults."""

from __future__ import annotations

import base64

from pydantic import SecretStr

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
