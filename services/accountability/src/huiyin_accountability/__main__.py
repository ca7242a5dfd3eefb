"""``huiyin-accountability``: the kit's serve/worker/migrate, plus the commands in cli.py."""

from __future__ import annotations

from huiyin_accountability import cli
from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_shared.runtime import run_cli


def main() -> None:
    run_cli(
        settings_type=AccountabilitySettings,
        bootstrap=bootstrap,
        package="huiyin_accountability",
        commands=cli.COMMANDS,
    )


if __name__ == "__main__":
    main()
