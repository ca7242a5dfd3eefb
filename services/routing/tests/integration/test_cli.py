"""``huiyin-routing registry check|load`` against a real database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from huiyin_routing.cli import COMMANDS
from huiyin_routing.config import RoutingSettings
from huiyin_shared.db.migrations import upgrade

from .conftest import SAMPLE

pytestmark = pytest.mark.integration


async def test_load_the_sample_once_and_refuse_a_broken_file(
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await asyncio.to_thread(upgrade, "huiyin_routing", postgres_url)
    monkeypatch.setenv("HUIYIN_ROUTING_DATABASE_URL", postgres_url)

    def main(argv: list[str]) -> int:
        return COMMANDS["registry"].run(RoutingSettings(), argv)

    assert await asyncio.to_thread(main, ["load", "--sample", "--by", "setup"]) == 0
    assert "registry version 1 loaded from sample-registry.yaml" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["load", "--sample"]) == 0
    assert "registry unchanged: version 1" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["load", "--sample", "--if-empty"]) == 0
    assert "is loaded already; nothing done" in capsys.readouterr().out

    broken = tmp_path / "broken.yaml"
    broken.write_text(SAMPLE.replace("type: department", "type: bureau", 1), encoding="utf-8")
    assert await asyncio.to_thread(main, ["check", str(broken)]) == 1
    error = capsys.readouterr().err
    line = SAMPLE[: SAMPLE.index("type: department")].count("\n") + 1
    assert error.startswith(f"{broken}:")
    assert error.startswith(f"{broken}:{line}: organisations[")
    assert "].type: type must be one of" in error.splitlines()[0]
    assert await asyncio.to_thread(main, ["load", str(broken)]) == 1
    capsys.readouterr()
    good = tmp_path / "good.yaml"
    good.write_text(SAMPLE, encoding="utf-8")
    assert await asyncio.to_thread(main, ["check", str(good)]) == 0
    assert "valid, 18 divisions, 124 organisations" in capsys.readouterr().out
