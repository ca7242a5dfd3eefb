"""One log pipeline: structlog and standard-library records, one JSON line each."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog

from huiyin_shared.logging import (
    IDENTITY_FIELDS,
    REDACTED,
    bind_correlation,
    configure_logging,
    current_correlation_id,
    describe_error,
    redact_identity,
)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_structlog_event_is_one_json_line_with_the_standard_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(service="intake", fmt="json", level="INFO")

    structlog.get_logger("huiyin.test").info("petition.registered", channel="web", count=2)

    [line] = json_lines(capsys.readouterr().out)
    assert line["event"] == "petition.registered"
    assert line["level"] == "info"
    assert line["logger"] == "huiyin.test"
    assert line["service"] == "intake"
    assert line["channel"] == "web"
    assert line["count"] == 2
    stamp = datetime.fromisoformat(line["timestamp"])
    assert stamp.utcoffset() is not None
    assert stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60


@pytest.mark.parametrize(
    "name", ["uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy.engine", "aio_pika"]
)
def test_standard_library_loggers_go_through_the_same_json_pipeline(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    # As uvicorn's own logging config does: a private handler and no propagation.
    library_logger = logging.getLogger(name)
    library_logger.addHandler(logging.StreamHandler(io.StringIO()))
    library_logger.propagate = False
    configure_logging(service="routing", fmt="json", level="INFO")

    library_logger.warning("connection %s lost after %d tries", "amqp", 3)

    [line] = json_lines(capsys.readouterr().out)
    assert line["event"] == "connection amqp lost after 3 tries"
    assert line["logger"] == name
    assert line["level"] == "warning"
    assert line["service"] == "routing"
    assert "timestamp" in line


def test_configuring_twice_does_not_duplicate_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="intake", fmt="json", level="INFO")
    configure_logging(service="intake", fmt="json", level="INFO")

    structlog.get_logger("x").info("once")
    logging.getLogger("plain").info("also once")

    lines = json_lines(capsys.readouterr().out)
    assert [line["event"] for line in lines] == ["once", "also once"]


def test_reconfiguring_switches_the_stream_and_format() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(service="intake", fmt="json", level="INFO", stream=first)
    configure_logging(service="intake", fmt="console", level="INFO", stream=second)

    structlog.get_logger("x").info("where.am.i")

    assert first.getvalue() == ""
    assert "where.am.i" in second.getvalue()
    assert not second.getvalue().lstrip().startswith("{")


def test_level_filters_structlog_and_standard_library_records() -> None:
    stream = io.StringIO()
    configure_logging(service="intake", fmt="json", level="warning", stream=stream)

    structlog.get_logger("x").info("hidden.structlog")
    logging.getLogger("y").info("hidden.stdlib")
    structlog.get_logger("x").warning("shown.structlog")
    logging.getLogger("y").error("shown.stdlib")

    assert [line["event"] for line in json_lines(stream.getvalue())] == [
        "shown.structlog",
        "shown.stdlib",
    ]


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="VERBOSE"):
        configure_logging(service="intake", fmt="json", level="VERBOSE")


def test_correlation_id_is_bound_in_contextvars_and_in_every_line() -> None:
    stream = io.StringIO()
    configure_logging(service="intake", fmt="json", level="INFO", stream=stream)

    bind_correlation("corr-1", petition_ref="p-9")
    structlog.get_logger("x").info("with.structlog")
    logging.getLogger("sqlalchemy.pool").warning("with.stdlib")

    assert current_correlation_id() == "corr-1"
    # The messaging code reads it exactly here.
    assert structlog.contextvars.get_contextvars().get("correlation_id") == "corr-1"
    for line in json_lines(stream.getvalue()):
        assert line["correlation_id"] == "corr-1"
        assert line["petition_ref"] == "p-9"

    bind_correlation(None)
    assert current_correlation_id() is None
    assert "correlation_id" not in structlog.contextvars.get_contextvars()


def test_redact_identity_replaces_identity_fields_at_any_depth() -> None:
    event = {
        "event": "petition.received",
        "Name": "张三",
        "petition_ref": "p-1",
        "petitioner": {
            "petitioner_name": "李四",
            "ID_Number": "110101199003077777",
            "contact": {"phone": "13800000000", "Email": "a@example.cn"},
            "units": ["x", {"work_unit": "某局", "position": "科长", "kept": 1}],
        },
        "history": ({"address": "北京市", "gender": "女", "birth_date": "1990-03-07"},),
    }
    original = json.dumps(event, default=list)

    redacted = redact_identity(None, "info", event)

    assert redacted["Name"] == REDACTED
    assert redacted["petition_ref"] == "p-1"
    petitioner = redacted["petitioner"]
    assert petitioner["petitioner_name"] == REDACTED
    assert petitioner["ID_Number"] == REDACTED
    assert petitioner["contact"] == {"phone": REDACTED, "Email": REDACTED}
    assert petitioner["units"] == ["x", {"work_unit": REDACTED, "position": REDACTED, "kept": 1}]
    assert redacted["history"] == [
        {"address": REDACTED, "gender": REDACTED, "birth_date": REDACTED}
    ]
    # The caller's data is untouched.
    assert json.dumps(event, default=list) == original


def test_identity_fields_cover_the_documented_keys() -> None:
    assert {
        "name",
        "petitioner_name",
        "id_number",
        "id_card",
        "phone",
        "mobile",
        "telephone",
        "address",
        "email",
        "gender",
        "work_unit",
        "position",
        "birth_date",
    } <= IDENTITY_FIELDS


def test_identity_never_reaches_the_output_from_either_kind_of_logger() -> None:
    stream = io.StringIO()
    configure_logging(service="intake", fmt="json", level="INFO", stream=stream)

    structlog.get_logger("x").info("received", petitioner={"name": "王五", "mobile": "13900000000"})
    logging.getLogger("y").info("legacy", extra={"id_card": "110101199003077777"})

    output = stream.getvalue()
    assert "王五" not in output
    assert "\\u738b\\u4e94" not in output
    assert "13900000000" not in output
    assert "110101199003077777" not in output
    assert json_lines(output)[0]["petitioner"] == {"name": REDACTED, "mobile": REDACTED}


def test_exceptions_are_rendered_into_the_json_line() -> None:
    stream = io.StringIO()
    configure_logging(service="intake", fmt="json", level="INFO", stream=stream)

    try:
        raise ValueError("structlog boom")
    except ValueError:
        structlog.get_logger("x").exception("failed.structlog")
    try:
        raise KeyError("stdlib boom")
    except KeyError:
        logging.getLogger("y").exception("failed.stdlib")

    first, second = json_lines(stream.getvalue())
    assert first["event"] == "failed.structlog"
    assert first["level"] == "error"
    assert "Traceback (most recent call last)" in first["exception"]
    assert "ValueError: structlog boom" in first["exception"]
    assert second["event"] == "failed.stdlib"
    assert "KeyError: 'stdlib boom'" in second["exception"]


def test_console_format_is_readable_and_shows_exceptions() -> None:
    stream = io.StringIO()
    configure_logging(service="intake", fmt="console", level="INFO", stream=stream)

    bind_correlation("corr-7")
    try:
        raise RuntimeError("console boom")
    except RuntimeError:
        structlog.get_logger("x").exception("failed.console")
    logging.getLogger("uvicorn.error").info("Application startup complete.")

    output = stream.getvalue()
    assert "failed.console" in output
    assert "correlation_id=corr-7" in output
    assert "service=intake" in output
    assert "RuntimeError: console boom" in output
    assert "Application startup complete." in output
    assert "\x1b[" not in output  # no colour codes when the stream is not a terminal
    with pytest.raises(json.JSONDecodeError):
        json.loads(output.splitlines()[0])


def test_an_error_is_described_by_its_type_and_first_line_even_without_a_message() -> None:
    assert describe_error(TimeoutError()) == "TimeoutError"
    assert describe_error(ConnectionRefusedError(111, "Connect call failed")) == (
        "ConnectionRefusedError: [Errno 111] Connect call failed"
    )
    assert describe_error(ValueError("first line\nsecond line")) == "ValueError: first line"
    assert describe_error(ValueError("x" * 500), limit=20) == "ValueError: xxxxxxxx"
