"""``huiyin-accountability``: the kit's serve/worker/migrate, plus ``verify-ledger``.

huiyin-accountability verify-ledger    re-check the whole hash chain; exit 1 on a break
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import Sequence

from huiyin_accountability import service
from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.logging import configure_logging
from huiyin_shared.runtime import run_cli


async def verify_ledger(settings: AccountabilitySettings) -> int:
    app = bootstrap(settings, consumers=False, timers=False)
    platform = app.platform
    try:
        async with platform.unit_of_work_factory(AccountabilityUnitOfWork)() as uow:
            result = await service.verify_ledger(uow, page_size=settings.ledger_verify_page_size)
    finally:
        await platform.engine.dispose()
    sys.stdout.write(json.dumps(dataclasses.asdict(result)) + "\n")
    return 0 if result.intact else 1


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["verify-ledger"]:
        settings = AccountabilitySettings()
        configure_logging(
            service=settings.service_name, fmt=settings.log_format, level=settings.log_level
        )
        sys.exit(asyncio.run(verify_ledger(settings)))
    run_cli(
        settings_type=AccountabilitySettings,
        bootstrap=bootstrap,
        package="huiyin_accountability",
        argv=args,
    )


if __name__ == "__main__":
    main()
