"""The schema validations scripts/validate-deploy runs would catch a broken file.

Both validators run offline from schemas shipped in their packages: check-jsonschema's
vendored compose specification and kubernetes-validate's Kubernetes API schemas.
"""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES_VERSION = "1.37.0"  # scripts/lib.sh: KUBERNETES_VERSION


def compose_schema() -> dict[str, Any]:
    text = (files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json").read_text(
        encoding="utf-8"
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def compose_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.validators.validator_for(compose_schema())(compose_schema())
    return [error.message for error in validator.iter_errors(document)]


def deployment() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (ROOT / "deploy/kubernetes/routing/deployment.yaml").read_text(encoding="utf-8")
    )
    return loaded


def test_the_compose_file_is_valid_and_a_broken_one_is_not() -> None:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert compose_errors(document) == []
    broken = copy.deepcopy(document)
    broken["services"]["routing"]["depends_on"]["routing-migrate"]["condition"] = "finished"
    assert compose_errors(broken)
    broken = copy.deepcopy(document)
    broken["services"]["routing"]["helthcheck"] = {"test": ["CMD", "true"]}
    assert compose_errors(broken)


def test_the_manifests_are_valid_and_strict_validation_refuses_a_misspelt_field() -> None:
    assert kubernetes_validate.validate(deployment(), KUBERNETES_VERSION, strict=True)
    broken = deployment()
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    broken = deployment()
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_pinned_kubernetes_version_is_the_validation_script_s() -> None:
    lib = (ROOT / "scripts/lib.sh").read_text(encoding="utf-8")
    assert f"KUBERNETES_VERSION={KUBERNETES_VERSION}\n" in lib
