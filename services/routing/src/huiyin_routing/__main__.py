"""``huiyin-routing``: the kit's serve/worker/migrate, plus the commands in cli.py."""

from __future__ import annotations

from huiyin_routing import cli
from huiyin_routing.bootstrap import bootstrap
from huiyin_routing.config import RoutingSettings
from huiyin_shared.runtime import run_cli


def main() -> None:
    run_cli(
        settings_type=RoutingSettings,
        bootstrap=bootstrap,
        package="huiyin_routing",
        commands=cli.COMMANDS,
    )


if __name__ == "__main__":
    main()
