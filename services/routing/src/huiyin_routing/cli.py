"""``huiyin-routing registry …``: check or load a registry file from the command line.

    huiyin-routing registry check FILE
    huiyin-routing registry load  FILE [--by STAFF] [--reason TEXT]
    huiyin-routing registry load  --sample [--if-empty]    the shipped 济南市 sample

``--if-empty`` loads only into a database without any registry (what a first local run
wants, never replacing a registry someone loaded since).

Loading the file that is already current changes nothing (same checksum). Problems are
printed as ``FILE:LINE: path: message``, one a line; the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import re
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from huiyin_routing.config import RoutingSettings
from huiyin_routing.db import messaging
from huiyin_routing.domain.registry_build import build_snapshot
from huiyin_routing.domain.registry_file import parse_registry
from huiyin_routing.domain.registry_problems import InvalidRegistryError, RegistryProblem
from huiyin_routing.service import registry, routing
from huiyin_routing.service.registry import RegistryRefused
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import Command

SAMPLE = "sample-registry.yaml"


def _sample_text() -> str:
    return resources.files("huiyin_routing.data").joinpath(SAMPLE).read_text(encoding="utf-8")


def _problem_lines(name: str, problems: Sequence[RegistryProblem]) -> str:
    return "\n".join(f"{name}:{p.line or '?'}: {p.path}: {p.message}" for p in problems)


async def _load(
    settings: RoutingSettings, text: str, *, source: str, by: str, reason: str, if_empty: bool
) -> int:
    platform = Platform(settings, tables=messaging)
    try:
        async with platform.unit_of_work_factory(RoutingUnitOfWork)() as uow:
            document = parse_registry(text)
            current = await uow.registry.current_version()
            row = None if current is None else await uow.registry.get(current)
            if row is not None and if_empty:
                print(f"registry version {row.version} is loaded already; nothing done")
                return 0
            if row is not None and row.checksum == registry.checksum_of(document):
                print(f"registry unchanged: version {row.version} already holds {source}")
                return 0
            now = platform.clock.now()
            version, snapshot = await registry.import_registry(
                uow, document=document, source=source, by=by, reason=reason, now=now
            )
            routed = await routing.route_waiting(uow, snapshot, settings.routing_rules(), now=now)
            await uow.commit()
        counts = ", ".join(f"{v} {k}" for k, v in version.counts.items())
        print(f"registry version {version.version} loaded from {source}: {counts}")
        if routed:
            print(f"{routed} petition(s) waiting for a registry were routed")
        return 0
    finally:
        await platform.engine.dispose()


def registry_command(settings: RoutingSettings, argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="huiyin-routing registry",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a registry file; change nothing")
    check.add_argument("file", type=Path)
    load = commands.add_parser("load", help="validate and load a registry file")
    source = load.add_mutually_exclusive_group(required=True)
    source.add_argument("file", type=Path, nargs="?")
    source.add_argument("--sample", action="store_true", help="the shipped sample registry")
    load.add_argument("--by", help="who loads it (recorded; default: the system user)")
    load.add_argument("--reason", help="why (recorded; default names the file)")
    load.add_argument("--if-empty", action="store_true", help="only when no registry is loaded yet")
    args = parser.parse_args(argv)

    name = SAMPLE if getattr(args, "sample", False) else str(args.file)
    text = _sample_text() if getattr(args, "sample", False) else args.file.read_text("utf-8")
    try:
        if args.command == "check":
            snapshot = build_snapshot(parse_registry(text), version=0)
            print(
                f"{name}: valid, {len(snapshot.divisions)} divisions, "
                f"{len(snapshot.organisations)} organisations, {len(snapshot.people)} people"
            )
            return 0
        by = args.by or re.sub(r"[^A-Za-z0-9_.:-]", "_", f"cli:{getpass.getuser()}")[:64]
        reason = args.reason or f"loaded from {name}"
        return asyncio.run(
            _load(settings, text, source=name, by=by, reason=reason, if_empty=args.if_empty)
        )
    except InvalidRegistryError as exc:
        print(_problem_lines(name, exc.problems), file=sys.stderr)
    except RegistryRefused as exc:
        print(
            "\n".join(f"{name}: {e['field']}: {e['message']}" for e in exc.errors), file=sys.stderr
        )
    return 1


COMMANDS: Mapping[str, Command[RoutingSettings]] = {
    "registry": Command(help="check or load a jurisdiction registry file", run=registry_command),
}
