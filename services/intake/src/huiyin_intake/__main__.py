"""``huiyin-intake``: the kit's serve/worker/migrate, plus the commands in cli.py."""

from __future__ import annotations

from huiyin_intake import cli
from huiyin_intake.bootstrap import bootstrap
from huiyin_intake.config import IntakeSettings
from huiyin_shared.runtime import run_cli


def main() -> None:
    run_cli(
        settings_type=IntakeSettings,
        bootstrap=bootstrap,
        package="huiyin_intake",
        commands=cli.COMMANDS,
    )


if __name__ == "__main__":
    main()
