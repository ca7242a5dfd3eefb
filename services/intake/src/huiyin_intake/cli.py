"""Admin commands beside the runtime's serve/worker/migrate:

    huiyin-intake rotate-keys                       re-encrypt identities under the active key
    huiyin-intake purge-expired                     drop old idempotency records and rate windows
    huiyin-intake portal-key issue --portal ID --office ID --scope submit [--scope track …]
    huiyin-intake portal-key rotate KEY_ID          new key, old one revoked
    huiyin-intake portal-key revoke KEY_ID
    huiyin-intake portal-key list

A new key is printed once; only its keyed hash is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from huiyin_intake.bootstrap import build_context
from huiyin_intake.config import IntakeSettings
from huiyin_intake.db import messaging
from huiyin_intake.domain.portal import PortalScope
from huiyin_intake.housekeeping import purge_expired
from huiyin_intake.service import portal, rotate_keys
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.platform import Platform
from huiyin_shared.runtime import Command

_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


HELP = {
    "rotate-keys": "re-encrypt identities under the active key",
    "purge-expired": "drop idempotency records and rate-limit windows past retention",
    "portal-key": "issue, rotate, revoke or list portal API keys",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="huiyin-intake")
    commands = parser.add_subparsers(dest="command", required=True)
    rotate = commands.add_parser("rotate-keys", help=HELP["rotate-keys"])
    rotate.add_argument("--batch-size", type=int, default=200)
    commands.add_parser("purge-expired", help=HELP["purge-expired"])
    keys = commands.add_parser("portal-key", help=HELP["portal-key"])
    actions = keys.add_subparsers(dest="action", required=True)
    issue = actions.add_parser("issue")
    issue.add_argument("--portal", required=True, help="portal id, e.g. web or wechat")
    issue.add_argument("--office", required=True, help="the office its submissions go to")
    issue.add_argument(
        "--scope", action="append", required=True, choices=[s.value for s in PortalScope]
    )
    for name in ("rotate", "revoke"):
        actions.add_parser(name).add_argument("key_id")
    actions.add_parser("list")
    return parser


async def _run(args: argparse.Namespace, settings: IntakeSettings) -> int:
    platform = Platform(settings, tables=messaging)
    context = build_context(settings, platform.clock)
    uow_factory = platform.unit_of_work_factory(IntakeUnitOfWork)
    try:
        if args.command == "rotate-keys":
            total = await rotate_keys(uow_factory, context, batch_size=args.batch_size)
            print(f"re-encrypted {total} identities under key {context.cipher.active_key_id}")
            return 0
        if args.command == "purge-expired":
            purged = await purge_expired(
                uow_factory,
                clock=context.clock,
                idempotency_retention=timedelta(hours=settings.idempotency_retention_hours),
            )
            print(f"purged {purged} idempotency records")
            return 0
        async with uow_factory() as uow:
            if args.action == "list":
                for key in await uow.portal_keys.all():
                    state = "active" if key.revoked_at is None else f"revoked {key.revoked_at}"
                    scopes = ",".join(sorted(s.value for s in key.scopes))
                    print(f"{key.key_id}\t{key.portal_id}\t{key.office_id}\t{scopes}\t{state}")
                return 0
            if args.action == "revoke":
                await portal.revoke_key(uow, context, key_id=args.key_id)
                await uow.commit()
                print(f"revoked {args.key_id}")
                return 0
            if args.action == "rotate":
                issued = await portal.rotate_key(uow, context, key_id=args.key_id)
            else:
                for value in (args.portal, args.office):
                    if not re.match(_ID, value):
                        print(f"not a valid id: {value!r}", file=sys.stderr)
                        return 2
                issued = await portal.issue_key(
                    uow,
                    context,
                    portal_id=args.portal,
                    office_id=args.office,
                    scopes=[PortalScope(s) for s in args.scope],
                )
            await uow.commit()
            print(issued.plaintext)
            return 0
    finally:
        await platform.engine.dispose()


def _command(name: str) -> Callable[[IntakeSettings, Sequence[str]], int]:
    def run(settings: IntakeSettings, argv: Sequence[str]) -> int:
        args = _parser().parse_args([name, *argv])
        return asyncio.run(_run(args, settings))

    return run


COMMANDS: Mapping[str, Command[IntakeSettings]] = {
    name: Command(help=help_text, run=_command(name)) for name, help_text in HELP.items()
}
