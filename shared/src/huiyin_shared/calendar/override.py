"""The calendar override file: next year's State Council notice and local adjustments.

The file format is documented in :mod:`huiyin_shared.calendar`. This module only parses and
validates it; :class:`~huiyin_shared.calendar.BusinessCalendar` applies it.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)


class CalendarOverrideError(ValueError):
    """The override file is missing, is not valid YAML, or does not follow the format."""


def _coerce_date(value: object) -> date:
    """Accept a YAML date (``2027-01-01``) or an ISO ``YYYY-MM-DD`` string, nothing else.

    Pydantic's lax date parsing would read an integer as a Unix timestamp and a date-time as
    its date; both are silent misreadings of a calendar file, so they are refused here.
    """
    if isinstance(value, datetime):
        raise ValueError(f"expected a date like 2027-01-01, got a date-time {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"expected a date like 2027-01-01, got {value!r} (not a valid YYYY-MM-DD date)"
            ) from None
    raise ValueError(f"expected a date like 2027-01-01, got {type(value).__name__} {value!r}")


CalendarDate = Annotated[date, BeforeValidator(_coerce_date)]


class OverrideDay(BaseModel):
    """One date in the override file, with an optional human-readable name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: CalendarDate
    name: str | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_date(cls, value: object) -> object:
        # A list item may be just a date: ``- 2027-01-01``. Anything else that is not a
        # mapping is treated the same way, so the error message talks about the date.
        if isinstance(value, (dict, OverrideDay)):
            return value
        return {"date": value}


def _none_as_empty(value: object) -> object:
    # A key whose list is only comments (``working_days:``) loads as None.
    return [] if value is None else value


class CalendarOverride(BaseModel):
    """The validated content of an override file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    complete_years: Annotated[tuple[StrictInt, ...], BeforeValidator(_none_as_empty)] = ()
    holidays: Annotated[tuple[OverrideDay, ...], BeforeValidator(_none_as_empty)] = ()
    working_days: Annotated[tuple[OverrideDay, ...], BeforeValidator(_none_as_empty)] = ()

    @field_validator("complete_years")
    @classmethod
    def _plausible_years(cls, years: tuple[int, ...]) -> tuple[int, ...]:
        for year in years:
            if not 1900 <= year <= 2200:
                raise ValueError(f"{year} is not a plausible calendar year")
        return tuple(sorted(set(years)))

    @model_validator(mode="after")
    def _no_conflicts(self) -> CalendarOverride:
        seen: dict[date, str] = {}
        for section, entries in (("holidays", self.holidays), ("working_days", self.working_days)):
            for entry in entries:
                previous = seen.get(entry.date)
                if previous is not None:
                    raise ValueError(
                        f"{entry.date.isoformat()} is listed more than once "
                        f"(in {previous} and in {section})"
                    )
                seen[entry.date] = section
        return self

    _index: dict[date, tuple[bool, str | None]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._index = {entry.date: (False, entry.name) for entry in self.holidays}
        self._index.update({entry.date: (True, entry.name) for entry in self.working_days})

    def lookup(self, day: date) -> tuple[bool, str | None] | None:
        """``(is_working, name)`` when the file says something about ``day``, else None."""
        return self._index.get(day)


def _locate_bad_timestamp(text: str) -> str | None:
    """Find the scalar PyYAML resolved as a timestamp but could not build (``2027-02-30``)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    stack: list[yaml.Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:timestamp":
                try:
                    yaml.SafeLoader("").construct_yaml_timestamp(node)
                except ValueError as exc:
                    return f"line {node.start_mark.line + 1}: {node.value!r} is not a date ({exc})"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, val in reversed(node.value):
                stack.extend((val, key))
    return None


def _format_validation_error(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def parse_override(text: str, *, source: str = "<calendar override>") -> CalendarOverride:
    """Parse and validate override YAML; ``source`` names the file in error messages."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CalendarOverrideError(f"{source}: not valid YAML: {exc}") from exc
    except ValueError as exc:
        # PyYAML builds unquoted dates itself and fails on impossible ones like 2027-02-30.
        where = _locate_bad_timestamp(text) or str(exc)
        raise CalendarOverrideError(f"{source}: invalid date at {where}") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise CalendarOverrideError(
            f"{source}: the top level must be a mapping with the keys complete_years, "
            f"holidays and working_days, got {type(raw).__name__}"
        )
    try:
        return CalendarOverride.model_validate(raw)
    except ValidationError as exc:
        raise CalendarOverrideError(
            f"{source}: invalid calendar override:\n{_format_validation_error(exc)}"
        ) from exc


def load_override(path: str | os.PathLike[str]) -> CalendarOverride:
    """Read and validate an override file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarOverrideError(f"{file}: cannot read calendar override file: {exc}") from exc
    return parse_override(text, source=str(file))
