"""Reading a registry file (YAML; JSON is YAML too) so that every mapping knows its line.

The document is built straight from the parser's events rather than through PyYAML's
constructors: several times faster on a national-size file, and it lets the reader refuse
what a registry file has no use for (anchors, aliases, custom tags, duplicate keys) with
the line where it occurs. Plain scalars resolve as in YAML 1.1 (PyYAML's safe loader):
null, booleans, integers, floats, else strings; quoted scalars are always strings.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from huiyin_routing.domain.registry_problems import (
    InvalidRegistryError,
    Located,
    RegistryProblem,
    bulk_allocation,
)

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CONSTANTS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"), False),
}
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]+([eE][-+]?[0-9]+)?$")
_STR_TAGS = frozenset({"!", "tag:yaml.org,2002:str"})
_NO_KEY = object()


def _line(event: yaml.Event) -> int:
    mark = event.start_mark
    return 0 if mark is None else mark.line + 1


class _RefusedError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.problem = RegistryProblem("(file)", message, line)


def _scalar(event: yaml.ScalarEvent) -> Any:
    value: str = event.value
    if event.tag is not None and event.tag not in _STR_TAGS:
        raise _RefusedError(f"tags are not used in registry files: {event.tag}", _line(event))
    if event.style or event.tag is not None:
        return value
    if value in _CONSTANTS:
        return _CONSTANTS[value]
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _FLOAT.match(value):
        return float(value.replace("_", ""))
    return value


class _Builder:
    """Builds one document from parser events: a stack of open collections and, for each
    open mapping, the key waiting for its value."""

    def __init__(self) -> None:
        self.stack: list[Any] = []
        self.keys: list[Any] = []
        self.root: Any = None

    def attach(self, value: Any, line: int) -> None:
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        if isinstance(parent, list):
            parent.append(value)
            return
        key = self.keys[-1]
        if key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise _RefusedError("a mapping key must be a plain value", line)
            self.keys[-1] = value
            parent.key_lines[str(value)] = line
            return
        if key in parent:
            raise _RefusedError(f"duplicate key {key!r}", line)
        parent[key] = value
        self.keys[-1] = _NO_KEY

    def open_mapping(self, line: int) -> None:
        mapping = Located()
        mapping.line = line
        mapping.key_lines = {}
        self.attach(mapping, line)
        self.stack.append(mapping)
        self.keys.append(_NO_KEY)

    def open_sequence(self, line: int) -> None:
        sequence: list[Any] = []
        self.attach(sequence, line)
        self.stack.append(sequence)

    def close(self) -> None:
        if isinstance(self.stack.pop(), dict):
            self.keys.pop()

    def feed(self, events: Any) -> Any:
        """Consume events up to the end of the current document; return the document."""
        for event in events:
            line = _line(event)
            if getattr(event, "anchor", None) or isinstance(event, yaml.AliasEvent):
                raise _RefusedError("anchors and aliases are not used in registry files", line)
            if isinstance(event, yaml.ScalarEvent):
                self.attach(_scalar(event), line)
            elif isinstance(event, yaml.MappingStartEvent):
                self.open_mapping(line)
            elif isinstance(event, yaml.SequenceStartEvent):
                self.open_sequence(line)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                self.close()
            elif isinstance(event, yaml.DocumentEndEvent):
                break
        return self.root


def parse_registry(text: str) -> Any:
    """The document in ``text``; malformed YAML is refused with its line."""
    try:
        with bulk_allocation():
            return _parse(text)
    except _RefusedError as refused:
        raise InvalidRegistryError([refused.problem]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = None if mark is None else mark.line + 1
        raise InvalidRegistryError(
            [RegistryProblem("(file)", f"not valid YAML: {exc.problem}", line)]
        ) from None
    except yaml.YAMLError as exc:
        raise InvalidRegistryError([RegistryProblem("(file)", f"not valid YAML: {exc}")]) from None


def _parse(text: str) -> Any:
    events = yaml.parse(text, Loader=_Loader)
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            document = _Builder().feed(events)
            for extra in events:
                if isinstance(extra, yaml.DocumentStartEvent):
                    raise _RefusedError("a registry file holds one document", _line(extra))
            return document
    return None


def registry_yaml(document: Any, version: int) -> str:
    """A document written back as a registry file (every entry in full, no aliases)."""
    base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class _Dumper(base):  # type: ignore[misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    header = f"# Jurisdiction registry, version {version} (format huiyin-registry/1)\n"
    body: str = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return header + body
