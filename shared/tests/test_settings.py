"""Service settings: environment prefixes, secrets, defaults, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from huiyin_shared.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_DEMO_")

    service_name: str = "demo"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in ServiceSettings.model_fields:
        monkeypatch.delenv(f"HUIYIN_{field.upper()}", raising=False)
        monkeypatch.delenv(f"HUIYIN_DEMO_{field.upper()}", raising=False)


def test_a_subclass_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HUIYIN_DEMO_HTTP_PORT", "9123")
    monkeypatch.setenv("HUIYIN_DEMO_LOG_FORMAT", "console")
    monkeypatch.setenv("HUIYIN_DEMO_CLOCK_CONTROL_FILE", str(tmp_path / "clock.json"))

    settings = DemoSettings()

    assert settings.http_port == 9123
    assert settings.log_format == "console"
    assert settings.clock_control_file == tmp_path / "clock.json"
    assert settings.service_name == "demo"


def test_a_subclass_ignores_the_base_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIYIN_HTTP_PORT", "9999")

    assert DemoSettings().http_port == 8000
    assert ServiceSettings().http_port == 9999


def test_keeps_the_base_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIYIN_DEMO_SOMETHING_UNKNOWN", "x")  # extra="ignore" is inherited

    settings = DemoSettings()

    with pytest.raises(ValidationError):
        settings.http_port = 1  # type: ignore[misc]  # frozen is inherited


def test_secrets_are_secret_str_and_hidden_from_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIYIN_DEMO_DATABASE_URL", "postgresql+asyncpg://svc:pg-s3cret@db/demo")
    monkeypatch.setenv("HUIYIN_DEMO_AMQP_URL", "amqp://svc:mq-s3cret@mq:5672/")

    settings = DemoSettings()

    assert isinstance(settings.database_url, SecretStr)
    assert isinstance(settings.amqp_url, SecretStr)
    for text in (repr(settings), str(settings), str(settings.model_dump())):
        assert "pg-s3cret" not in text
        assert "mq-s3cret" not in text
    assert settings.amqp_url.get_secret_value() == "amqp://svc:mq-s3cret@mq:5672/"
    assert settings.sqlalchemy_url() == "postgresql+asyncpg://svc:pg-s3cret@db/demo"


def test_the_default_database_is_a_sqlite_file_named_after_the_service(tmp_path: Path) -> None:
    assert DemoSettings().sqlalchemy_url() == "sqlite+aiosqlite:///var/demo.db"
    settings = DemoSettings(data_dir=tmp_path, service_name="intake")
    assert settings.sqlalchemy_url() == f"sqlite+aiosqlite:///{tmp_path}/intake.db"
    assert settings.sqlalchemy_url().startswith("sqlite+aiosqlite:////")  # an absolute path


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUIYIN_DEMO_MAX_BODY_BYTES", "10"),
        ("HUIYIN_DEMO_HTTP_PORT", "70000"),
        ("HUIYIN_DEMO_LOG_FORMAT", "xml"),
        ("HUIYIN_DEMO_LOG_LEVEL", "TRACE"),
        ("HUIYIN_DEMO_DELIVERY_LIMIT", "0"),
        ("HUIYIN_DEMO_TIMEZONE", "Asia/Atlantis"),
    ],
)
def test_invalid_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError):
        DemoSettings()


def test_defaults_make_a_local_run_work() -> None:
    settings = DemoSettings()

    assert settings.http_host == "127.0.0.1"
    assert settings.log_format == "json"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.clock_control_file is None
    assert settings.max_body_bytes == 1_048_576


def test_the_zone_is_the_offices() -> None:
    assert DemoSettings().zone().key == "Asia/Shanghai"
