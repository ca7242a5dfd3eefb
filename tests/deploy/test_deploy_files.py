"""Static checks of the container files: no Docker engine is needed to catch drift."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"intake": 8001, "routing": 8002, "supervision": 8003, "accountability": 8004}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


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


def test_dockerfiles_are_multi_stage_non_root_with_healthcheck() -> None:
    for name, port in SERVICES.items():
        text = (ROOT / "services" / name / "Dockerfile").read_text(encoding="utf-8")
        assert len(re.findall(r"^FROM ", text, re.M)) == 2
        assert "uv sync --frozen --no-dev" in text, "built from the lock file"
        assert re.search(r"^USER 10001$", text, re.M)
        assert f"127.0.0.1:{port}/healthz" in text
        assert f'ENTRYPOINT ["huiyin-{name}"]' in text


def test_prometheus_scrapes_every_service_port() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    assert {f"{name}:{port}" for name, port in SERVICES.items()} <= targets
    assert "rabbitmq:15692" in targets
