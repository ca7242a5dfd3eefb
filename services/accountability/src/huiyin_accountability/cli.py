"""Admin commands beside the runtime's serve/worker/migrate:

    huiyin-accountability verify-ledger    re-check the whole hash chain; exit 1 on a break

The verdict is printed as one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence

from huiyin_accountability import service
from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.runtime import Command


async def _verify_ledger(settings: AccountabilitySettings) -> int:
    platform = bootstrap(settings, consumers=False, timers=False).platform
    try:
        async with platform.unit_of_work_factory(AccountabilityUnitOfWork)() as uow:
            result = await service.verify_ledger(uow, page_size=settings.ledger_verify_page_size)
    finally:
        await platform.engine.dispose()
    sys.stdout.write(json.dumps(dataclasses.asdict(result)) + "\n")
    return 0 if result.intact else 1


def verify_ledger(settings: AccountabilitySettings, argv: Sequence[str]) -> int:
    argparse.ArgumentParser(
        prog="huiyin-accountability verify-ledger", description=VERIFY_HELP
    ).parse_args(argv)
    return asyncio.run(_verify_ledger(settings))


VERIFY_HELP = "re-check the whole hash chain of the record; exit 1 on a break"

COMMANDS: Mapping[str, Command[AccountabilitySettings]] = {
    "verify-ledger": Command(help=VERIFY_HELP, run=verify_ledger),
}
