"""A service's own commands beside serve/worker/migrate: dispatched, listed, logged apart."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence

import pytest
import structlog

from huiyin_shared.runtime import (
    GC_YOUNGEST_THRESHOLD,
    Command,
    ServiceApp,
    run_cli,
    settle_garbage_collector,
)
from huiyin_shared.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    service_name: str = "demo"


def no_bootstrap(settings: DemoSettings, *, consumers: bool) -> ServiceApp:
    raise AssertionError("a service command must not start the service")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def run(argv: Sequence[str], commands: dict[str, Command[DemoSettings]]) -> None:
    run_cli(
        settings_type=DemoSettings,
        bootstrap=no_bootstrap,
        package="huiyin_demo",
        argv=argv,
        commands=commands,
    )


def test_a_service_command_gets_its_arguments_and_exits_with_its_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[tuple[str, list[str]]] = []

    def check(settings: DemoSettings, argv: Sequence[str]) -> int:
        seen.append((settings.service_name, list(argv)))
        structlog.get_logger("demo").info("demo.checked", items=2)
        print("2 items checked, 1 broken")
        return 3

    with pytest.raises(SystemExit) as exit_info:
        run(["check", "--deep", "FILE"], {"check": Command(help="check things", run=check)})

    assert exit_info.value.code == 3
    assert seen == [("demo", ["--deep", "FILE"])]
    out, err = capsys.readouterr()
    assert out == "2 items checked, 1 broken\n", "stdout holds the result alone"
    assert "demo.checked" in err


def test_a_successful_command_exits_zero() -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["noop"], {"noop": Command(help="nothing", run=lambda _settings, _argv: 0)})
    assert exit_info.value.code == 0


def test_help_lists_the_service_commands_with_the_kit_s(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands: dict[str, Command[DemoSettings]] = {
        "rotate-keys": Command(help="re-encrypt under the active key", run=lambda _s, _a: 0)
    }
    with pytest.raises(SystemExit) as exit_info:
        run(["--help"], commands)
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for name in ("serve", "worker", "migrate", "rotate-keys"):
        assert name in text
    assert "re-encrypt under the active key" in text


def test_a_service_command_cannot_replace_a_kit_command() -> None:
    with pytest.raises(ValueError, match="migrate"):
        run(["migrate"], {"migrate": Command(help="mine", run=lambda _s, _a: 0)})


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["rotate"], {"rotate-keys": Command(help="rotate", run=lambda _s, _a: 0)})
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_serving_on_development_keys_is_refused_where_production_asks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUIYIN_REFUSE_DEVELOPMENT_KEYS", "true")
    with pytest.raises(SystemExit) as refused:
        run(["serve"], {})
    assert "HUIYIN_AUTH_TOKEN_KEY" in str(refused.value)
    assert "service.development_keys_refused" in capsys.readouterr().out

    monkeypatch.setenv("HUIYIN_AUTH_TOKEN_KEY", "a-key-of-this-deployment-only")
    with pytest.raises(AssertionError, match="must not start"):  # got as far as starting
        run(["serve"], {})


def test_serving_on_development_keys_is_logged_as_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(AssertionError, match="must not start"):
        run(["worker"], {})
    assert "service.development_keys" in capsys.readouterr().out


def test_a_service_process_freezes_its_start_up_heap_and_collects_less_often() -> None:
    before = gc.get_threshold()
    try:
        settle_garbage_collector()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNGEST_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
