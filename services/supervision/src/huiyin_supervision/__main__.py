"""``huiyin-supervision``: the kit's serve/worker/migrate (no commands of its own)."""

from __future__ import annotations

from huiyin_shared.runtime import run_cli
from huiyin_supervision.bootstrap import bootstrap
from huiyin_supervision.config import SupervisionSettings


def main() -> None:
    run_cli(settings_type=SupervisionSettings, bootstrap=bootstrap, package="huiyin_supervision")


if __name__ == "__main__":
    main()
