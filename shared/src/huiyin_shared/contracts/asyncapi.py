"""The event catalogue as an AsyncAPI 3.0 document, generated, never written by hand.

One channel per event type on the durable topic exchange (routing key = event type); a
``send`` operation per producing service and a ``receive`` operation per consuming service;
each message's payload is the envelope with ``data`` replaced by the contract's schema.
``docs/asyncapi.yaml`` is this module's output, and a test keeps it from drifting.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Sequence
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from huiyin_shared.contracts.catalogue import ContractKey, EventData
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events import CONSUMERS, PRODUCERS, domain_contracts
from huiyin_shared.messaging.topology import unrouted_queue_name

EVENTS_EXCHANGE = "huiyin.events"
"""The default exchange name (``ServiceSettings.events_exchange``); deployments may rename it."""

AMQP_BINDING_VERSION = "0.3.0"
SCHEMA_REF = "#/components/schemas/{model}"

_DESCRIPTION = f"""\
Domain events of Huiyin (回音), petition handling and accountability.

Every message is published persistent, mandatory and with publisher confirms on the
durable topic exchange `{EVENTS_EXCHANGE}`, whose alternate exchange
`{unrouted_queue_name(EVENTS_EXCHANGE)}` parks events no queue is bound to yet. The
routing key is the event type. Each consuming service binds its own durable quorum
queue, with a delivery limit and a dead-letter queue, to the types it receives.

Every message is one JSON envelope: `id` (consumers deduplicate on it), `type`,
`version`, `occurred_at`, `producer`, `correlation_id`, `causation_id`, `subject` and
`data`, which is validated against the contract registered for (`type`, `version`).

Events never carry a petitioner's identity: only a pseudonymous petitioner reference.
"""


def _message_id(key: ContractKey) -> str:
    return f"{key.type}.v{key.version}"


def _first_line(model: type[EventData]) -> str:
    return (model.__doc__ or key_title(model)).strip().splitlines()[0]


def key_title(model: type[EventData]) -> str:
    """A readable title for a contract, e.g. ``petition.accepted v1``."""
    return f"{model.event_type} v{model.event_version}"


def _payload(
    envelope: dict[str, Any], key: ContractKey, data_ref: dict[str, Any]
) -> dict[str, Any]:
    """The envelope schema pinned to one contract: fixed type and version, typed data."""
    payload = copy.deepcopy(envelope)
    payload["title"] = f"{key.type} v{key.version} envelope"
    properties = payload["properties"]
    properties["type"] = {**properties["type"], "const": key.type}
    properties["version"] = {**properties["version"], "const": key.version}
    properties["data"] = data_ref
    return payload


def _message(key: ContractKey, model: type[EventData], payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": key.type,
        "title": key_title(model),
        "summary": _first_line(model),
        "contentType": "application/json",
        "correlationId": {"location": "$message.payload#/correlation_id"},
        "payload": payload,
        "bindings": {"amqp": {"messageType": key.type, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def _channel(event_type: str, message_ids: list[str]) -> dict[str, Any]:
    return {
        "address": event_type,
        "title": event_type,
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in message_ids},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": EVENTS_EXCHANGE,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def _operation(
    action: str, service: str, event_type: str, message_ids: list[str]
) -> dict[str, Any]:
    if action == "send":
        binding: dict[str, Any] = {"deliveryMode": 2, "mandatory": True, "timestamp": True}
        summary = f"{service} publishes {event_type}"
    else:
        binding = {"ack": True}
        summary = f"{service} consumes {event_type} from its own queue"
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{event_type}"},
        "summary": summary,
        "tags": [{"name": service}],
        "messages": [{"$ref": f"#/channels/{event_type}/messages/{m}"} for m in message_ids],
        "bindings": {"amqp": {**binding, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def build_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document for every domain contract, deterministic in content and order."""
    contracts = sorted(domain_contracts().items(), key=lambda kv: (kv[0].type, kv[0].version))
    refs, top = models_json_schema(
        [(model, "validation") for _, model in contracts], ref_template=SCHEMA_REF
    )
    schemas: dict[str, Any] = dict(sorted(top.get("$defs", {}).items()))
    envelope = Envelope.model_json_schema(ref_template=SCHEMA_REF)

    messages: dict[str, Any] = {}
    by_type: dict[str, list[str]] = {}
    for key, model in contracts:
        message_id = _message_id(key)
        payload = _payload(envelope, key, refs[(model, "validation")])
        messages[message_id] = _message(key, model, payload)
        by_type.setdefault(key.type, []).append(message_id)

    missing = sorted((set(by_type) - set(PRODUCERS)) | (set(by_type) - set(CONSUMERS)))
    if missing:
        raise LookupError(f"no producers/consumers declared for {missing}")

    channels = {t: _channel(t, ids) for t, ids in by_type.items()}
    operations: dict[str, Any] = {}
    for event_type, ids in by_type.items():
        for service in PRODUCERS[event_type]:
            operations[f"{service.value}.sends.{event_type}"] = _operation(
                "send", service.value, event_type, ids
            )
        for service in CONSUMERS[event_type]:
            operations[f"{service.value}.receives.{event_type}"] = _operation(
                "receive", service.value, event_type, ids
            )

    return {
        "asyncapi": "3.0.0",
        "id": "urn:huiyin:events",
        "info": {
            "title": "Huiyin events",
            "version": package_version("huiyin-shared"),
            "description": _DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": {
            "broker": {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "The RabbitMQ broker; each deployment sets its own AMQP URL.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings as literal blocks, so descriptions stay readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def render(document: dict[str, Any], fmt: str = "yaml") -> str:
    """The document as YAML (block style, key order kept) or as indented JSON."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def main(argv: Sequence[str] | None = None) -> int:
    """``huiyin-asyncapi``: print the document, write it, or check a file is up to date."""
    parser = argparse.ArgumentParser(prog="huiyin-asyncapi", description=__doc__)
    parser.add_argument("--format", choices=("yaml", "json"), default="yaml")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--output", type=Path, help="write to FILE instead of stdout")
    target.add_argument("--check", type=Path, help="exit 1 if FILE differs from the output")
    args = parser.parse_args(argv)

    text = render(build_document(), args.format)
    if args.check is not None:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else None
        if current != text:
            print(f"{args.check} is out of date; regenerate it", file=sys.stderr)
            return 1
        return 0
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
