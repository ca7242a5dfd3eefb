"""Problems found in a registry document, and the helpers that read its fields.

Every problem names where it is: the path in the document and, when the document was read
from a file, the line of the offending field (else of its entry).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from huiyin_routing.domain.registry import Competence

ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_ERRORS = 100


class Located(dict[str, Any]):
    """A mapping read from a file, remembering the line it starts on."""

    line: int | None = None
    key_lines: dict[str, int] | None = None

    def line_of(self, key: str) -> int | None:
        """The line a key is written on, else the mapping's own line."""
        return (self.key_lines or {}).get(key, self.line)


@dataclass(frozen=True)
class RegistryProblem:
    path: str
    message: str
    line: int | None = None
    key_lines: dict[str, int] | None = None

    def line_of(self, key: str) -> int | None:
        """The line a key is written on, else the mapping's own line."""
        return (self.key_lines or {}).get(key, self.line)

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.path}: {self.message}"


class InvalidRegistryError(Exception):
    """The document was refused; ``problems`` lists every defect found (up to a limit)."""

    def __init__(self, problems: Sequence[RegistryProblem]) -> None:
        self.problems = list(problems)
        first = self.problems[0].describe() if self.problems else "no detail"
        super().__init__(f"{len(self.problems)} problem(s) in the registry; first: {first}")


class Problems:
    def __init__(self) -> None:
        self.items: list[RegistryProblem] = []
        # Registries repeat the same competence entries thousands of times: read each once.
        self.competences: dict[object, Competence] = {}

    def add(self, node: object, path: str, message: str) -> None:
        """Record a problem at the line of the field the path ends with, if the node (a
        mapping read from a file) has it, else at the line the mapping starts on."""
        if len(self.items) >= MAX_ERRORS:
            return
        line = getattr(node, "line", None)
        if isinstance(node, Located):
            line = node.line_of(path.rsplit(".", 1)[-1])
        self.items.append(RegistryProblem(path, message, line))


def text_field(raw: Mapping[str, Any], key: str, path: str, problems: Problems) -> str | None:
    value = raw.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # unquoted division codes read as numbers
    if not isinstance(value, str) or not value.strip():
        problems.add(raw, f"{path}.{key}", "required text is missing")
        return None
    return value.strip()


def optional_id(raw: Mapping[str, Any], key: str, path: str, problems: Problems) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not ID.match(value):
        problems.add(raw, f"{path}.{key}", f"not a valid id: {value!r}")
        return None
    return value


def list_field(raw: Mapping[str, Any], key: str, path: str, problems: Problems) -> list[Any]:
    value = raw.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(raw, f"{path}.{key}", "must be a list")
        return []
    return value


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while hundreds of thousands of acyclic objects
    are built: otherwise every generation-2 pass walks them all again, and a national
    registry takes several times longer to read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
