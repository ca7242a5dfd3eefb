"""The generated documents are up to date, and the generator describes settings faithfully.

After changing an API, a setting or an event contract: scripts/gen-docs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Literal

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from huiyin_shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts/gen_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_docs", module)
    spec.loader.exec_module(module)
    return module


gen_docs = load_generator()


@pytest.mark.parametrize("relative", list(gen_docs.documents()), ids=str)
def test_generated_document_is_up_to_date(relative: Path) -> None:
    made = gen_docs.documents()[relative]()
    current = (ROOT / relative).read_text(encoding="utf-8") if (ROOT / relative).exists() else None
    assert current == made, f"{relative} is out of date: run scripts/gen-docs"


def test_every_kit_setting_is_described() -> None:
    for name, field in ServiceSettings.model_fields.items():
        if name not in gen_docs.NOT_SETTABLE:
            assert field.description or gen_docs.KIT_DESCRIPTIONS.get(name), name
    assert set(gen_docs.KIT_DESCRIPTIONS) <= set(ServiceSettings.model_fields), "stale texts"


def test_the_reference_lists_every_setting_of_every_service() -> None:
    reference = gen_docs.configuration_reference()
    for service in gen_docs.SERVICES:
        settings = gen_docs.settings_class(service)
        assert f"## {service}" in reference
        for name in settings.model_fields:
            if name in gen_docs.NOT_SETTABLE:
                continue
            if name in ServiceSettings.model_fields:
                assert f"| `{name.upper()}` |" in reference
            else:
                assert f"| `{gen_docs.env_prefix(settings)}{name.upper()}` |" in reference


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HUIYIN_EXAMPLE_", extra="ignore", frozen=True)

    service_name: str = "example"
    signing_key: SecretStr = Field(default=SecretStr("dev"), description="Signs | things.")
    mode: Literal["fast", "safe"] = "safe"
    retries: int = Field(default=3, ge=0, le=10)
    peers: list[str] = Field(default_factory=list)


@pytest.mark.parametrize(
    ("name", "kind", "default"),
    [
        ("signing_key", "secret", "a local-development value"),
        ("mode", "one of `fast`, `safe`", "`safe`"),
        ("retries", "integer", "`3`"),
        ("peers", "JSON array", "`[]`"),
        ("database_url", "secret, optional", "none"),
        ("data_dir", "path", "`var`"),
    ],
)
def test_types_and_defaults_are_described_for_readers(name: str, kind: str, default: str) -> None:
    field = ExampleSettings.model_fields[name]
    assert gen_docs.describe_type(field.annotation) == kind
    assert gen_docs.describe_default(field) == default


def test_a_row_shows_bounds_marks_secrets_and_escapes_table_bars() -> None:
    fields = ExampleSettings.model_fields
    assert gen_docs._row("RETRIES", "retries", fields["retries"], "example").startswith(
        "| `RETRIES` | integer ≥ 0, ≤ 10 | `3` |"
    )
    assert gen_docs._row("KEY", "signing_key", fields["signing_key"], "example").endswith(
        "| **Secret.** Signs \\| things. |"
    )


def test_check_mode_reports_stale_files_and_writes_nothing(tmp_path: Path) -> None:
    assert gen_docs.main(["--check", "--root", str(tmp_path)]) == 1
    assert not list(tmp_path.iterdir())
    assert gen_docs.main(["--root", str(tmp_path)]) == 0
    assert gen_docs.main(["--check", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "docs/openapi/routing.json").is_file()
