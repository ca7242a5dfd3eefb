"""The Kubernetes manifests agree with the services and with each other.

kubernetes-validate checks them against the API schemas (scripts/validate-deploy); here:
the kustomization lists every manifest, probes and ports match the services, every pod runs
non-root and read-only, secrets are referenced and never inlined.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from huiyin_shared.calendar import BusinessCalendar

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy/kubernetes"
SERVICES = {"intake": 8001, "routing": 8002, "supervision": 8003, "accountability": 8004}


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def manifests() -> list[Path]:
    return sorted(p for p in KUBERNETES.rglob("*.yaml") if p.name != "kustomization.yaml")


@functools.cache
def objects() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in manifests():
        for doc in documents(path):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in found, f"{key} defined twice"
            found[key] = doc
    return found


def pod_spec(kind: str, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = objects()[(kind, name)]["spec"]["template"]["spec"]
    return spec


def test_kustomization_lists_every_manifest_and_every_image() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = {KUBERNETES / resource for resource in kustomization["resources"]}
    assert listed == set(manifests())
    assert kustomization["namespace"] == "huiyin"
    assert {image["name"] for image in kustomization["images"]} == {
        f"huiyin-{name}" for name in SERVICES
    }


def test_nothing_secret_is_written_in_the_manifests() -> None:
    assert not [key for key in objects() if key[0] == "Secret"]


@pytest.mark.parametrize(("name", "port"), SERVICES.items())
def test_deployment_probes_ports_resources(name: str, port: int) -> None:
    deployment = objects()[("Deployment", f"huiyin-{name}")]
    assert deployment["spec"]["replicas"] >= 2, "several replicas"
    spec = pod_spec("Deployment", f"huiyin-{name}")
    (container,) = spec["containers"]
    assert container["image"].startswith(f"huiyin-{name}:")
    assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)
    service = objects()[("Service", f"huiyin-{name}")]
    assert service["spec"]["ports"][0]["port"] == port
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    config = objects()[("ConfigMap", f"huiyin-{name}")]["data"]
    assert config[f"HUIYIN_{name.upper()}_HTTP_PORT"] == str(port)


@pytest.mark.parametrize("name", SERVICES)
def test_secrets_are_referenced_by_the_service_and_its_migration(name: str) -> None:
    prefix = f"HUIYIN_{name.upper()}_"
    (server,) = pod_spec("Deployment", f"huiyin-{name}")["containers"]
    from_secrets = {
        env["name"]: env["valueFrom"]["secretKeyRef"]
        for env in server["env"]
        if "secretKeyRef" in env.get("valueFrom", {})
    }
    assert from_secrets[prefix + "DATABASE_URL"] == {
        "name": f"huiyin-{name}",
        "key": "database-url",
    }
    assert from_secrets[prefix + "AMQP_URL"] == {"name": f"huiyin-{name}", "key": "amqp-url"}
    assert from_secrets[prefix + "AUTH_TOKEN_KEY"] == {"name": "huiyin-auth", "key": "token-key"}

    (migrate,) = pod_spec("Job", f"huiyin-{name}-migrate")["containers"]
    assert migrate["args"] == ["migrate"]
    assert migrate["image"] == server["image"]
    assert [e["name"] for e in migrate["env"]] == [prefix + "DATABASE_URL"]


def test_intake_reads_its_identity_keys_from_a_secret() -> None:
    (server,) = pod_spec("Deployment", "huiyin-intake")["containers"]
    assert {"secretRef": {"name": "huiyin-intake-keys"}} in server["envFrom"]


@pytest.mark.parametrize("kind_name", [("Deployment", "huiyin-{}"), ("Job", "huiyin-{}-migrate")])
@pytest.mark.parametrize("name", SERVICES)
def test_pods_run_non_root_read_only_without_privileges(
    kind_name: tuple[str, str], name: str
) -> None:
    kind, pattern = kind_name
    spec = pod_spec(kind, pattern.format(name))
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001
    assert spec["automountServiceAccountToken"] is False
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_reads_the_calendar_override(name: str) -> None:
    spec = pod_spec("Deployment", f"huiyin-{name}")
    config = objects()[("ConfigMap", f"huiyin-{name}")]["data"]
    path = Path(config[f"HUIYIN_{name.upper()}_CALENDAR_OVERRIDE_FILE"])
    (container,) = spec["containers"]
    mount = next(m for m in container["volumeMounts"] if m["name"] == "calendar")
    assert Path(mount["mountPath"]) / path.name == path
    assert {"name": "calendar", "configMap": {"name": "huiyin-calendar"}} in spec["volumes"]


def test_calendar_config_map_is_the_compose_override_file(tmp_path: Path) -> None:
    data = objects()[("ConfigMap", "huiyin-calendar")]["data"]["override.yaml"]
    assert data == (ROOT / "deploy/calendar/override.yaml").read_text(encoding="utf-8")
    (tmp_path / "override.yaml").write_text(data, encoding="utf-8")
    BusinessCalendar.from_file(tmp_path / "override.yaml")
