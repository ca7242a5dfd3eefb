from __future__ import annotations

import sys

from huiyin_intake import cli
from huiyin_intake.bootstrap import bootstrap
from huiyin_intake.config import IntakeSettings
from huiyin_shared.runtime import run_cli


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] in cli.COMMANDS:
        raise SystemExit(cli.run(argv))
    run_cli(settings_type=IntakeSettings, bootstrap=bootstrap, package="huiyin_intake")


if __name__ == "__main__":
    main()
