"""The one source of "now" for every service.

Production uses :class:`SystemClock`. Tests and demos may enable a :class:`ControlledClock`
backed by a small JSON file, so several processes move through time together.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that only moves when told: for unit tests in one process."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class ControlledClock:
    """Real time plus an offset read from a shared file.

    The file holds ``{"offset_seconds": <float>}``. Every process that names the same file
    sees the same shifted "now". It is re-read only when it changes: every write replaces
    the file, so its inode changes even where timestamps are coarse.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._version: tuple[int, int] | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset()

    def offset(self) -> timedelta:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return timedelta(0)
        version = (stat.st_ino, stat.st_mtime_ns)
        if version != self._version:
            data = json.loads(self._path.read_text(encoding="utf-8") or "{}")
            self._offset = timedelta(seconds=float(data.get("offset_seconds", 0.0)))
            self._version = version
        return self._offset

    def advance(self, delta: timedelta) -> timedelta:
        """Move every process sharing the file forward; returns the new total offset."""
        new_offset = self.offset() + delta
        self._write(new_offset)
        return new_offset

    def reset(self) -> None:
        self._write(timedelta(0))

    def _write(self, offset: timedelta) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"offset_seconds": offset.total_seconds()}), encoding="utf-8")
        os.replace(tmp, self._path)


def clock_from_settings(control_file: Path | None) -> Clock:
    return ControlledClock(control_file) if control_file is not None else SystemClock()
