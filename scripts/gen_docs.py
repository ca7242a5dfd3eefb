"""Regenerate every generated document from the code, or check that none has drifted.

    docs/asyncapi.yaml        the event catalogue (huiyin_shared.contracts.asyncapi)
    docs/openapi/<svc>.json   each service's HTTP API, as its app serves it at /openapi.json
    docs/configuration.md     every setting of every service, from the settings classes

Run through ``scripts/gen-docs`` (``--check`` exits 1 and names the stale files instead of
writing). The services are built as their ``serve`` command builds them, without starting
anything: no database, broker or network is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import inspect
import json
import os
import sys
import tempfile
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from huiyin_shared.contracts import asyncapi
from huiyin_shared.runtime import ServiceApp, build_app
from huiyin_shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "routing", "supervision", "accountability")
NOT_SETTABLE = frozenset({"service_name"})
"""Fields that identify the service rather than configure it."""

# The kit's settings carry their explanations as comments in settings.py; these are the
# reference texts. A ``Field(description=...)`` on the class takes precedence, and a service
# setting without a description is listed with an empty one (and a warning).
KIT_DESCRIPTIONS: dict[str, str] = {
    "database_url": (
        "`postgresql+asyncpg://user:password@host:5432/db` in production. Unset: a SQLite "
        "file `<DATA_DIR>/<service>.db` (local runs only)."
    ),
    "data_dir": "Where the SQLite default database lives.",
    "database_pool_size": (
        "Database connections per process; as many again may open as overflow. Keep "
        "replicas × 2 × this under the server's `max_connections`."
    ),
    "amqp_url": (
        "The RabbitMQ broker, `amqp://user:password@host:5672/vhost` (`amqps://` for TLS). "
        "Default: the local broker as `guest`."
    ),
    "events_exchange": "The durable topic exchange every event goes through.",
    "queue_prefix": "Prefix of this deployment's queue names (`<prefix>.<service>.<consumer>`).",
    "consumer_prefetch": (
        "Messages the broker delivers ahead per consumer and process (unacknowledged)."
    ),
    "consumer_concurrency": (
        "Groups of messages a consumer applies at once per process, each group in one "
        "transaction on its own connection; the rest of the prefetch waits. Keep the sum "
        "over a process's consumers well under `DATABASE_POOL_SIZE`."
    ),
    "delivery_limit": "Deliveries of a failing message before it is dead-lettered.",
    "publish_timeout_seconds": "A publish the broker has not confirmed by then is retried later.",
    "relay_batch_size": "Outbox rows a relay claims per batch.",
    "relay_poll_interval_seconds": (
        "How often the relay claims unsent rows (from other processes, or left unsent); a "
        "commit hands its own rows to the relay of its process at once."
    ),
    "broker_retry_max_seconds": "Longest back-off between broker reconnection attempts.",
    "broker_heartbeat_seconds": (
        "AMQP heartbeat interval asked of the broker. A connection silent for about three "
        "intervals is dropped and reopened; a publish not confirmed within "
        "`PUBLISH_TIMEOUT_SECONDS` drops it at once. Keep it below that timeout."
    ),
    "http_host": "Listening address (`0.0.0.0` in containers).",
    "http_port": "Listening port.",
    "max_body_bytes": "Larger request bodies are refused with 413.",
    "auth_token_key": (
        "Verifies staff bearer tokens: the HMAC secret (HS256) or the identity provider's PEM "
        "public key. The default is a published development key: set it in production."
    ),
    "auth_token_algorithm": "The tokens' signature algorithm; prefer a public-key one in production.",
    "auth_token_issuer": "When set, tokens must carry this `iss`.",
    "auth_token_audience": "When set, tokens must carry this `aud`.",
    "log_format": "`json` (one object per line) for production, `console` for a terminal.",
    "log_level": "Least severe level logged.",
    "timezone": "The office's time zone: dates and deadlines are computed in it.",
    "clock_control_file": (
        "**Tests and demos only**: a file shared by the processes that moves their clock."
    ),
    "calendar_override_file": (
        "YAML with next year's official holidays and local adjustments to the business "
        "calendar (see the operations guide)."
    ),
}


# --- the configuration reference -----------------------------------------------------------


def settings_class(service: str) -> type[ServiceSettings]:
    """The one ServiceSettings subclass defined in ``huiyin_<service>.config``."""
    module = importlib.import_module(f"huiyin_{service}.config")
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, ServiceSettings)
        and obj is not ServiceSettings
        and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise LookupError(f"{module.__name__} must define one ServiceSettings subclass: {found}")
    return found[0]


def env_prefix(settings: type[ServiceSettings]) -> str:
    return str(settings.model_config.get("env_prefix", ""))


def _constraints(field: FieldInfo) -> list[str]:
    bounds: list[str] = []
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            bounds.append(f"≥ {item.ge}")
        elif isinstance(item, annotated_types.Gt):
            bounds.append(f"> {item.gt}")
        elif isinstance(item, annotated_types.Le):
            bounds.append(f"≤ {item.le}")
        elif isinstance(item, annotated_types.Lt):
            bounds.append(f"< {item.lt}")
        elif isinstance(item, annotated_types.MinLen):
            bounds.append(f"length ≥ {item.min_length}")
        elif isinstance(item, annotated_types.MaxLen):
            bounds.append(f"length ≤ {item.max_length}")
    return bounds


_SIMPLE_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Path: "path",
    SecretStr: "secret",
}


def describe_type(annotation: Any) -> str:
    """A reader's name for a setting's type: ``integer``, ``secret, optional``, ``one of …``."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        inner = " or ".join(describe_type(a) for a in members)
        return f"{inner}, optional" if len(members) < len(get_args(annotation)) else inner
    if origin is Literal:
        return "one of " + ", ".join(f"`{v}`" for v in get_args(annotation))
    if annotation in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[annotation]
    if origin in (list, tuple, set, frozenset, dict) or annotation in (list, dict):
        return "JSON " + ("object" if origin is dict or annotation is dict else "array")
    return getattr(annotation, "__name__", str(annotation))


def is_secret(field: FieldInfo) -> bool:
    annotation = field.annotation
    return annotation is SecretStr or SecretStr in get_args(annotation)


def describe_default(field: FieldInfo) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "**required**"
    default = field.get_default(call_default_factory=True)
    if default is None:
        return "none"
    if isinstance(default, SecretStr):
        # Secrets' defaults are local-development values: showing them invites copying.
        return "a local-development value" if default.get_secret_value() else "empty"
    return f"`{_plain(default)}`"


def _plain(value: Any) -> str:
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _description(name: str, field: FieldInfo, service: str | None) -> str:
    text = field.description or KIT_DESCRIPTIONS.get(name, "")
    if not text:
        print(
            f"warning: setting {name!r} of {service or 'the kit'} has no description; "
            "give it Field(description=...)",
            file=sys.stderr,
        )
    if is_secret(field):
        text = f"**Secret.** {text}".rstrip()
    return " ".join(text.split()).replace("|", "\\|")


def _row(variable: str, name: str, field: FieldInfo, service: str | None) -> str:
    kind = describe_type(field.annotation)
    bounds = _constraints(field)
    if bounds:
        kind = f"{kind} {', '.join(bounds)}"
    return (
        f"| `{variable}` | {kind} | {describe_default(field)} "
        f"| {_description(name, field, service)} |"
    )


def _same_default(a: FieldInfo, b: FieldInfo) -> bool:
    left, right = a.get_default(call_default_factory=True), b.get_default(call_default_factory=True)
    if isinstance(left, SecretStr) and isinstance(right, SecretStr):
        return left.get_secret_value() == right.get_secret_value()
    return bool(left == right)


def configuration_reference() -> str:
    kit = ServiceSettings.model_fields
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from the settings classes by scripts/gen-docs; do not edit. -->",
        "",
        "Every setting is read from the environment as `<PREFIX><NAME>`, the prefix being the",
        "service's (`HUIYIN_INTAKE_`, `HUIYIN_ROUTING_`, `HUIYIN_SUPERVISION_`,",
        "`HUIYIN_ACCOUNTABILITY_`), e.g. `HUIYIN_INTAKE_DATABASE_URL`. Names are case-insensitive;",
        "values are validated at start-up and a process with an invalid setting refuses to start,",
        "naming it. The defaults make a local run work with no configuration; **Secret** settings",
        "come from a secret store in production (the Kubernetes manifests read them from Secrets,",
        "see `deploy/kubernetes/README.md`) and never appear in logs.",
        "",
        "## Settings of every service",
        "",
        "| name | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, field in kit.items():
        if name not in NOT_SETTABLE:
            lines.append(_row(name.upper(), name, field, None))
    for service in SERVICES:
        settings = settings_class(service)
        prefix = env_prefix(settings)
        fields = settings.model_fields
        lines += ["", f"## {service}", "", f"Prefix `{prefix}`."]
        changed = [
            name
            for name, field in fields.items()
            if name in kit and name not in NOT_SETTABLE and not _same_default(field, kit[name])
        ]
        own = [name for name in fields if name not in kit and name not in NOT_SETTABLE]
        if changed or own:
            lines += ["", "| variable | type | default | meaning |", "|---|---|---|---|"]
            lines += [_row(prefix + n.upper(), n, fields[n], service) for n in changed + own]
    return "\n".join(lines) + "\n"


# --- OpenAPI -------------------------------------------------------------------------------


@contextlib.contextmanager
def _environment_without(prefix: str) -> Iterator[None]:
    """Hide the caller's settings so the documents do not depend on where they are made."""
    hidden = {k: v for k, v in os.environ.items() if k.upper().startswith(prefix.upper())}
    for key in hidden:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(hidden)


def openapi_document(service: str) -> dict[str, Any]:
    settings_type = settings_class(service)
    bootstrap: Callable[..., ServiceApp] = importlib.import_module(
        f"huiyin_{service}.bootstrap"
    ).bootstrap
    with (
        _environment_without(env_prefix(settings_type)),
        tempfile.TemporaryDirectory() as scratch,
    ):
        settings = settings_type(data_dir=Path(scratch))
        app = build_app(bootstrap(settings, consumers=False))
        return app.openapi()


def openapi_text(service: str) -> str:
    return json.dumps(openapi_document(service), indent=2, ensure_ascii=False) + "\n"


# --- writing and checking ------------------------------------------------------------------


def documents() -> dict[Path, Callable[[], str]]:
    """Every generated file, relative to the repository root, and how to make it."""
    made: dict[Path, Callable[[], str]] = {
        Path("docs/asyncapi.yaml"): lambda: asyncapi.render(asyncapi.build_document()),
        Path("docs/configuration.md"): configuration_reference,
    }
    for service in SERVICES:
        made[Path(f"docs/openapi/{service}.json")] = functools.partial(openapi_text, service)
    return made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gen-docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    stale = []
    for relative, make in documents().items():
        path = args.root / relative
        text = make()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(relative)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for relative in stale:
        verb = "is out of date" if args.check else "written"
        print(f"{relative} {verb}", file=sys.stderr if args.check else sys.stdout)
    if args.check and stale:
        print("run scripts/gen-docs to regenerate", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
