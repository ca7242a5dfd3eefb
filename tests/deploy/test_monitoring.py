"""The alert rules and the Grafana dashboard refer to metrics that exist, and are complete.

promtool checks the rules' syntax and runs their unit tests (scripts/validate-deploy); here:
every metric a query names is one the services export, every alert is exercised by a unit
test, and the dashboard and its provisioning agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import Metric
from prometheus_client.metrics import MetricWrapperBase

from huiyin_shared import metrics

ROOT = Path(__file__).resolve().parents[2]

# The services' business metrics (names agreed with the service issues).
BUSINESS_METRICS = {
    "huiyin_petitions_received_total": "counter",
    "huiyin_petitions_repeat_linked_total": "counter",
    "huiyin_identity_reads_total": "counter",
    "huiyin_routing_decisions_total": "counter",
    "huiyin_routing_manual_decisions_required_total": "counter",
    "huiyin_routing_decision_duration_seconds": "histogram",
    "huiyin_cases_open": "gauge",
    "huiyin_cases_overdue": "gauge",
    "huiyin_case_time_to_close_seconds": "histogram",
    "huiyin_reminders_sent_total": "counter",
    "huiyin_supervision_notices_issued_total": "counter",
    "huiyin_deadlines_provisional": "gauge",
    "huiyin_accountability_matters_opened_total": "counter",
    "huiyin_ledger_entries_total": "counter",
    "huiyin_ledger_chain_intact": "gauge",
    "huiyin_accountability_steps_overdue_total": "counter",
}
# RabbitMQ's Prometheus plugin and Prometheus itself.
EXTERNAL_SERIES = {"up", "rabbitmq_detailed_queue_messages"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def kit_metrics() -> dict[str, str]:
    """Exported series name -> type, for every metric the platform kit defines."""
    found: dict[str, str] = {}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            described: Metric = value.describe()[0]
            name = described.name + ("_total" if described.type == "counter" else "")
            found[name] = described.type
    return found


def series_names() -> set[str]:
    """Every series name a query may use: counters, gauges, and histograms' parts."""
    names = set(EXTERNAL_SERIES)
    for name, kind in {**kit_metrics(), **BUSINESS_METRICS}.items():
        if kind == "histogram":
            names.update(name + suffix for suffix in HISTOGRAM_SUFFIXES)
        else:
            names.add(name)
    return names


def metric_names_in(expr: str) -> set[str]:
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    candidates = set(re.findall(r"\b(?:huiyin|rabbitmq)_[a-z0-9_]+\b", without_strings))
    if re.search(r"\bup\{", without_strings):
        candidates.add("up")
    return candidates


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in groups["groups"] for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (ROOT / "deploy/grafana/dashboards/huiyin.json").read_text(encoding="utf-8")
    )
    return loaded


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])


def test_kit_metrics_are_found() -> None:
    names = kit_metrics()
    assert names["huiyin_http_requests_total"] == "counter"
    assert names["huiyin_outbox_oldest_unsent_age_seconds"] == "gauge"
    assert names["huiyin_http_request_duration_seconds"] == "histogram"


def test_metric_names_are_read_from_queries_not_from_label_values() -> None:
    expr = 'sum by (queue) (rabbitmq_detailed_queue_messages{queue=~"huiyin_x.dlq"}) + up{a="b"}'
    assert metric_names_in(expr) == {"rabbitmq_detailed_queue_messages", "up"}


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_alert_rule_is_complete_and_uses_known_metrics(rule: dict[str, Any]) -> None:
    assert rule["labels"]["severity"] in {"critical", "warning", "info"}
    assert rule["annotations"]["summary"]
    assert rule["annotations"]["description"]
    used = metric_names_in(rule["expr"])
    assert used, "an alert on no metric"
    assert used <= series_names(), f"unknown metrics {used - series_names()}"


def test_the_issue_s_alerts_exist() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert {
        "HuiyinServiceDown",
        "HuiyinHighErrorRate",
        "HuiyinDeadLetterQueueNotEmpty",
        "HuiyinOutboxBacklogOld",
        "HuiyinConsumerFailing",
        "HuiyinOverdueCasesRising",
        "HuiyinProvisionalDeadlines",
    } <= names


def test_every_alert_fires_in_a_promtool_unit_test() -> None:
    tests = yaml.safe_load(
        (ROOT / "deploy/prometheus/tests/alerts_test.yml").read_text(encoding="utf-8")
    )
    fired = {
        case["alertname"]
        for test in tests["tests"]
        for case in test["alert_rule_test"]
        if case["exp_alerts"]
    }
    assert {rule["alert"] for rule in alert_rules()} == fired


def test_dashboard_panels_query_known_metrics_through_the_provisioned_datasource() -> None:
    board = dashboard()
    datasources = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text(
            encoding="utf-8"
        )
    )["datasources"]
    uid = datasources[0]["uid"]
    queries = 0
    for panel in panels(board):
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid
            used = metric_names_in(target["expr"])
            assert used <= series_names(), f"{panel['title']}: unknown {used - series_names()}"
            queries += 1
    assert queries >= 30


def test_dashboard_layout_is_well_formed() -> None:
    board = dashboard()
    ids = [panel["id"] for panel in panels(board)]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for panel in panels(board):
        position = panel["gridPos"]
        assert position["x"] >= 0, panel["title"]
        assert position["x"] + position["w"] <= 24, panel["title"]
    assert board["uid"] == "huiyin-overview"


def test_dashboard_covers_the_issue_s_figures() -> None:
    used = {
        name
        for panel in panels(dashboard())
        for target in panel.get("targets", [])
        for name in metric_names_in(target["expr"])
    }
    assert {
        "huiyin_http_requests_total",
        "huiyin_http_request_duration_seconds_bucket",
        "huiyin_messages_published_total",
        "huiyin_messages_consumed_total",
        "huiyin_messages_failed_total",
        "huiyin_messages_dead_lettered_total",
        "huiyin_outbox_backlog_messages",
        "huiyin_petitions_received_total",
        "huiyin_cases_open",
        "huiyin_cases_overdue",
        "huiyin_case_time_to_close_seconds_bucket",
    } <= used
