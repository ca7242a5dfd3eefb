from __future__ import annotations

import sys

from huiyin_routing.bootstrap import bootstrap
from huiyin_routing.config import RoutingSettings
from huiyin_shared.runtime import run_cli


def main() -> None:
    if sys.argv[1:2] == ["registry"]:
        from huiyin_routing.cli import main as registry_main

        sys.exit(registry_main(sys.argv[2:]))
    run_cli(settings_type=RoutingSettings, bootstrap=bootstrap, package="huiyin_routing")


if __name__ == "__main__":
    main()
