"""One log pipeline per process: structlog and standard-library logging, one line format.

:func:`configure_logging` installs a single root handler whose
:class:`structlog.stdlib.ProcessorFormatter` renders both structlog events and records from
standard-library loggers (uvicorn, SQLAlchemy, aio-pika…), so every line carries the same
fields: timestamp (ISO 8601, UTC), level, logger, service, the bound context — above all
``correlation_id`` — and the event. Identity fields are redacted before rendering.

Run uvicorn with ``log_config=None`` so it does not install its own handlers over these.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any, Final, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

REDACTED: Final = "[REDACTED]"

#: Keys (compared case-insensitively) whose values identify a petitioner or a person.
IDENTITY_FIELDS: Final[frozenset[str]] = frozenset(
    {
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
    }
)

CORRELATION_KEY: Final = "correlation_id"

# Libraries that may ship or be given their own handlers; they must propagate to root.
_ROUTED_LOGGERS: Final = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "sqlalchemy",
    "aio_pika",
    "aiormq",
    "alembic",
)


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if isinstance(key, str) and key.lower() in IDENTITY_FIELDS
            else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    return value


def redact_identity(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Replace the value of every identity field, at any depth, with ``[REDACTED]``.

    Works on copies: the caller's dicts and lists are never changed.
    """
    redacted: EventDict = _redact(event_dict)
    return redacted


def describe_error(exc: BaseException, limit: int = 200) -> str:
    """An exception as a log field: its type and the first line of its message. Many carry
    no message at all (a timeout), and ``str()`` alone would log an empty error."""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    message = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
    return message[:limit]


def bind_correlation(correlation_id: str | None, **extra: Any) -> None:
    """Bind the correlation id (and any extra fields) to every log line of this context.

    ``None`` removes a bound correlation id. Published events take it from here too.
    """
    if correlation_id is None:
        structlog.contextvars.unbind_contextvars(CORRELATION_KEY)
    else:
        structlog.contextvars.bind_contextvars(**{CORRELATION_KEY: correlation_id})
    if extra:
        structlog.contextvars.bind_contextvars(**extra)


def current_correlation_id() -> str | None:
    value = structlog.contextvars.get_contextvars().get(CORRELATION_KEY)
    return None if value is None else str(value)


def _service_adder(service: str) -> Processor:
    def add_service(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


class _PipelineHandler(logging.StreamHandler[TextIO]):
    """The one root handler; without a fixed stream it writes to ``sys.stdout`` as it is
    when each record is emitted (so redirected or captured stdout is honoured)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream if stream is not None else sys.stdout)
        self._follow_stdout = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follow_stdout:
            self.stream = sys.stdout
        super().emit(record)

    def flush(self) -> None:
        if self._follow_stdout:
            self.stream = sys.stdout
        super().flush()


def _renderer(fmt: Literal["json", "console"], stream: TextIO | None) -> list[Processor]:
    if fmt == "json":
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    target = stream if stream is not None else sys.stdout
    return [
        structlog.dev.ConsoleRenderer(
            colors=target.isatty(),
            # Never tracebacks with local variables: they may hold identity data.
            exception_formatter=structlog.dev.plain_traceback,
        )
    ]


def configure_logging(
    *,
    service: str,
    fmt: Literal["json", "console"],
    level: str,
    stream: TextIO | None = None,
) -> None:
    """Route structlog and standard-library logging through one pipeline.

    Idempotent: calling it again replaces the previous handler and configuration.
    ``stream`` defaults to standard output (looked up at each write).
    """
    numeric_level = logging.getLevelName(level.upper())
    if not isinstance(numeric_level, int):
        msg = f"unknown log level {level!r}"
        raise ValueError(msg)

    common: list[Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            *common,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: a logger used before configuration must still follow it.
        cache_logger_on_first_use=False,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.contextvars.merge_contextvars, *common],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _service_adder(service),
            redact_identity,
            *_renderer(fmt, stream),
        ],
    )
    handler = _PipelineHandler(stream)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    for existing in [h for h in root.handlers if isinstance(h, _PipelineHandler)]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(numeric_level)

    _route_library_loggers()


def _route_library_loggers() -> None:
    """Strip the private handlers of library loggers (and of their existing children) so
    their records propagate to the root handler, each exactly once."""
    children = tuple(f"{name}." for name in _ROUTED_LOGGERS)
    existing = [name for name in logging.root.manager.loggerDict if name.startswith(children)]
    for name in [*_ROUTED_LOGGERS, *existing]:
        library_logger = logging.getLogger(name)
        for private_handler in list(library_logger.handlers):
            library_logger.removeHandler(private_handler)
        library_logger.propagate = True
