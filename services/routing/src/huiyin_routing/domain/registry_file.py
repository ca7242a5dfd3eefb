"""Reading a registry file (YAML) so that every mapping remembers its line."""

from __future__ import annotations

from typing import Any

import yaml

from huiyin_routing.domain.registry_build import InvalidRegistryError, Located, RegistryProblem

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_Base):  # type: ignore[misc]
    """A safe loader whose mappings are :class:`Located` (1-based line numbers)."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> Located:
    mapping = Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        str(key.value): key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")
    }
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_registry(text: str) -> Any:
    """The document in ``text``; a YAML syntax error is refused with its line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a safe loader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = None if mark is None else mark.line + 1
        raise InvalidRegistryError(
            [RegistryProblem("(file)", f"not valid YAML: {exc.problem}", line)]
        ) from None
    except yaml.YAMLError as exc:
        raise InvalidRegistryError([RegistryProblem("(file)", f"not valid YAML: {exc}")]) from None
