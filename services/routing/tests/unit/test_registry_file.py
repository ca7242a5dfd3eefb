"""The registry file reader: YAML as PyYAML's safe loader reads it, plus lines, and
refusals of what registry files have no use for."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from huiyin_routing.domain.registry_file import parse_registry
from huiyin_routing.domain.registry_problems import InvalidRegistryError, Located


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1.5, 2_0, ~, yes, Off, 'x', !!str 12, 0, -3, 1e3, .5, 370102]\n",
        "[1, {a: b}, {c: [d, {e: null}]}]",
        '{"format": "huiyin-registry/1", "divisions": [{"code": "370100", "name": "济南市"}]}',
        "key: |\n  two\n  lines\nother: >\n  folded\n",
        "",
    ],
)
def test_values_read_as_the_safe_loader_reads_them(text: str) -> None:
    assert parse_registry(text) == yaml.safe_load(text)


def test_the_sample_reads_as_the_safe_loader_reads_it() -> None:
    text = resources.files("huiyin_routing.data").joinpath("sample-registry.yaml").read_text()
    assert parse_registry(text) == yaml.safe_load(text)


def test_mappings_know_their_line_and_their_keys_lines() -> None:
    document = parse_registry("format: x\nitems:\n  - id: a\n    name: A\n  - id: b\n")
    assert isinstance(document, Located)
    assert (document.line, document.line_of("items")) == (1, 2)
    second = document["items"][1]
    assert isinstance(second, Located)
    assert second.line == 5


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'"),
        ("a: &x 1\nb: *x\n", 1, "anchors and aliases are not used in registry files"),
        ("a: 1\nb: !python/object 1\n", 2, "tags are not used in registry files"),
        ("a: 1\n---\nb: 2\n", 2, "a registry file holds one document"),
        ("a: [1, 2\nb: 3\n", 2, "not valid YAML"),
        ("? [a, b]\n: 1\n", 1, "a mapping key must be a plain value"),
    ],
)
def test_what_a_registry_file_has_no_use_for_is_refused_with_its_line(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(InvalidRegistryError) as refused:
        parse_registry(text)
    [problem] = refused.value.problems
    assert problem.line == line
    assert problem.message.startswith(message)
