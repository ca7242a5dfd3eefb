"""The clocks: system, fixed, and the file-shared controlled clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from huiyin_shared.clock import ControlledClock, FixedClock, SystemClock, clock_from_settings

SLACK = timedelta(seconds=30)


def test_system_clock_is_timezone_aware_utc() -> None:
    now = SystemClock().now()

    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < SLACK


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2025, 1, 27, 9, tzinfo=UTC))

    assert clock.now() == clock.now() == datetime(2025, 1, 27, 9, tzinfo=UTC)
    clock.advance(timedelta(days=3))
    assert clock.now() == datetime(2025, 1, 30, 9, tzinfo=UTC)


def test_controlled_clock_without_a_file_is_real_time(tmp_path: Path) -> None:
    clock = ControlledClock(tmp_path / "missing" / "clock.json")

    assert clock.offset() == timedelta(0)
    assert abs(clock.now() - datetime.now(UTC)) < SLACK


def test_two_clocks_sharing_a_file_move_together(tmp_path: Path) -> None:
    control_file = tmp_path / "shared" / "clock.json"
    intake, supervision = ControlledClock(control_file), ControlledClock(control_file)
    assert supervision.offset() == timedelta(0)

    assert intake.advance(timedelta(days=15)) == timedelta(days=15)

    assert supervision.offset() == timedelta(days=15)
    assert abs(supervision.now() - (datetime.now(UTC) + timedelta(days=15))) < SLACK
    assert supervision.now().utcoffset() == timedelta(0)

    assert supervision.advance(timedelta(hours=6)) == timedelta(days=15, hours=6)

    assert intake.offset() == timedelta(days=15, hours=6)
    assert json.loads(control_file.read_text(encoding="utf-8")) == {
        "offset_seconds": timedelta(days=15, hours=6).total_seconds()
    }


def test_reset_brings_every_clock_back_to_real_time(tmp_path: Path) -> None:
    control_file = tmp_path / "clock.json"
    first, second = ControlledClock(control_file), ControlledClock(control_file)
    first.advance(timedelta(hours=3))
    assert second.offset() == timedelta(hours=3)

    second.reset()

    assert first.offset() == timedelta(0)
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, no leftovers


def test_clock_from_settings(tmp_path: Path) -> None:
    assert isinstance(clock_from_settings(None), SystemClock)
    assert isinstance(clock_from_settings(tmp_path / "clock.json"), ControlledClock)
