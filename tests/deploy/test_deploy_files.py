"""Static checks of the container and compose files: no Docker engine is needed to catch drift.

Schema validation (compose specification, Kubernetes API, promtool) is scripts/validate-deploy;
these tests check what schemas cannot: that the files agree with each other and with the code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from huiyin_shared.calendar import BusinessCalendar

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"intake": 8001, "routing": 8002, "supervision": 8003, "accountability": 8004}


def load(path: str) -> Any:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    return load("docker-compose.yml")


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path of a compose service's bind mounts."""
    found = {}
    for volume in service.get("volumes", []):
        source, target, *_ = volume.split(":")
        found[target] = source
    return found


def test_compose_runs_every_service_after_its_migration() -> None:
    services = compose()["services"]
    for name, port in SERVICES.items():
        migrate = services[f"{name}-migrate"]
        assert migrate["command"] == ["migrate"]
        assert (ROOT / migrate["build"]["dockerfile"]).is_file()
        app = services[name]
        assert app["depends_on"][f"{name}-migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert app["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert app["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
        assert app["image"] == migrate["image"]
        assert f"{port}:{port}" in app["ports"]
        url = app["environment"][f"HUIYIN_{name.upper()}_DATABASE_URL"]
        assert f"//huiyin_{name}:" in url, "its own role"
        assert url.endswith(f"/huiyin_{name}"), "its own database"
    assert {"rabbitmq", "postgres", "prometheus", "grafana"} <= set(services)


def test_compose_services_share_one_token_key_and_read_the_calendar_override() -> None:
    services = compose()["services"]
    for name in SERVICES:
        app = services[name]
        prefix = f"HUIYIN_{name.upper()}_"
        assert app["environment"][prefix + "AUTH_TOKEN_KEY"].startswith("${HUIYIN_AUTH_TOKEN_KEY")
        override = app["environment"][prefix + "CALENDAR_OVERRIDE_FILE"]
        assert mounts(app)[override] == "./deploy/calendar/override.yaml"
        assert app["read_only"] is True
        assert app["cap_drop"] == ["ALL"]
    BusinessCalendar.from_file(ROOT / "deploy/calendar/override.yaml")


def test_compose_database_init_creates_the_roles_the_services_use() -> None:
    script = (ROOT / "deploy/postgres/init-databases.sh").read_text(encoding="utf-8")
    assert "for svc in intake routing supervision accountability" in script
    postgres = compose()["services"]["postgres"]
    assert "/docker-entrypoint-initdb.d/10-huiyin.sh" in mounts(postgres)


def test_rabbitmq_has_management_and_prometheus_plugins() -> None:
    rabbitmq = compose()["services"]["rabbitmq"]
    plugins = mounts(rabbitmq)["/etc/rabbitmq/enabled_plugins"]
    text = (ROOT / plugins).read_text(encoding="utf-8")
    assert text.strip() == "[rabbitmq_management,rabbitmq_prometheus]."
    assert rabbitmq["ports"] == ["15672:15672"], "AMQP and metrics stay inside the network"


def test_prometheus_and_grafana_get_their_configuration_rules_and_dashboards() -> None:
    services = compose()["services"]
    prometheus = mounts(services["prometheus"])
    assert prometheus["/etc/prometheus/prometheus.yml"] == "./deploy/prometheus/prometheus.yml"
    rule_files = load("deploy/prometheus/prometheus.yml")["rule_files"]
    for rule_file in rule_files:
        assert prometheus[f"/etc/prometheus/{rule_file}"] == f"./deploy/prometheus/{rule_file}"

    grafana = mounts(services["grafana"])
    assert grafana["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning"
    provider = load("deploy/grafana/provisioning/dashboards/huiyin.yml")["providers"][0]
    assert grafana[provider["options"]["path"]] == "./deploy/grafana/dashboards"


def test_dockerfiles_are_multi_stage_non_root_with_healthcheck() -> None:
    for name, port in SERVICES.items():
        text = (ROOT / "services" / name / "Dockerfile").read_text(encoding="utf-8")
        assert len(re.findall(r"^FROM ", text, re.M)) == 2
        assert f"uv sync --frozen --no-dev --no-editable --package huiyin-{name}" in text
        assert re.search(r"^USER 10001:10001$", text, re.M)
        assert f"127.0.0.1:{port}/healthz" in text
        assert f"HUIYIN_{name.upper()}_HTTP_PORT={port}" in text
        assert f"EXPOSE {port}" in text
        assert f'ENTRYPOINT ["huiyin-{name}"]' in text
        # Every workspace member's pyproject is copied before the dependency layer, or the
        # lock cannot be resolved in the image build.
        for member in ["shared", *(f"services/{other}" for other in SERVICES)]:
            assert f"COPY {member}/pyproject.toml {member}/" in text


def test_docker_context_leaves_out_what_images_do_not_need() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "**/__pycache__", "services/*/tests"} <= set(ignored)


def test_prometheus_scrapes_every_service_port_with_its_service_label() -> None:
    config = load("deploy/prometheus/prometheus.yml")
    huiyin = next(job for job in config["scrape_configs"] if job["job_name"] == "huiyin")
    assert huiyin["honor_labels"] is True
    labelled = {
        target: static["labels"]["service"]
        for static in huiyin["static_configs"]
        for target in static["targets"]
    }
    assert labelled == {f"{name}:{port}": name for name, port in SERVICES.items()}
    rabbit_targets = {
        target
        for job in config["scrape_configs"]
        if job["job_name"].startswith("rabbitmq")
        for static in job["static_configs"]
        for target in static["targets"]
    }
    assert rabbit_targets == {"rabbitmq:15692"}
