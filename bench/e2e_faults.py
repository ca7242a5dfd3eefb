"""Fault figures in the Jepsen style: each fault struck while petitions flow at a fixed rate.

    uv run python bench/e2e_faults.py [--petitions 2000] [--rate 20] [--strike-after 0.3]
                                      [--scenario NAME ...] [--wait 300]

For each scenario, starts the four services afresh (the end-to-end harness: their own
databases and broker names, removed afterwards) and offers petitions at the given rate from
a portal, each accepted by a clerk at once, both retrying what is refused with the same
Idempotency-Key. Once the given share of them is acknowledged the fault strikes, while the
rest keep coming. One row per scenario: sent, acknowledged, retries, lost (acknowledged,
yet no case --wait seconds after the flow), duplicated effects (petitions with more than
one case or routing decision) and the time to recover, from the heal to the last case
opened of the petitions offered before it. The scenarios (tests/e2e/faults.py, shared
with the fault tests):

  sigkill-<service>  the service SIGKILLed, down 3 s, then started again
  rabbitmq-restart   the machine's RabbitMQ: rabbitmqctl stop_app, 5 s, start_app (as root;
                     whatever else uses that broker sees the restart too)
  postgres-refused   routing's PostgreSQL connections refused for 10 s (through a proxy; the
                     server itself keeps running)
  broker-blackhole   routing's broker connection blackholed for 40 s (production heartbeat
                     and publish timeout), then healed
  poison             a poison message published as petition.accepted (recovery counted from
                     the injection)

Exits non-zero if any scenario lost a petition, did something twice or failed; its row then
names the directory holding the services' logs. Figures move with the machine's load; read
them with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.faults import (
    Fault,
    Figures,
    broker_blackholed,
    database_refused,
    killed,
    poisoned,
    rabbitmq_restarted,
    through_a_fault,
)
from tests.e2e.flow import OFFICE, People, Portal
from tests.e2e.harness import SERVICES, Suite

ADMIN = os.environ.get("HUIYIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP = os.environ.get("HUIYIN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")

Scenario = Callable[[Suite], AbstractContextManager[Fault]]


def sigkill(name: str) -> Scenario:
    return lambda suite: killed(suite, name, down_seconds=3)


SCENARIOS: dict[str, Scenario] = {
    **{f"sigkill-{name}": sigkill(name) for name in SERVICES},
    "rabbitmq-restart": lambda suite: rabbitmq_restarted(suite, down_seconds=5),
    "postgres-refused": lambda suite: database_refused(suite, "routing", seconds=10),
    "broker-blackhole": lambda suite: broker_blackholed(suite, "routing", seconds=40),
    "poison": poisoned,
}

COLUMNS = f"{'scenario':<22} {'sent':>6} {'acked':>6} {'retries':>7} {'lost':>5} " + (
    f"{'dup cases':>9} {'dup routing':>11} {'recovery':>9}"
)


def row(name: str, figures: Figures) -> str:
    recovery = figures.recovery_seconds
    return (
        f"{name:<22} {figures.sent:>6} {figures.acknowledged:>6} {figures.retries:>7} "
        f"{figures.lost:>5} {figures.duplicate_cases:>9} {figures.duplicate_decisions:>11} "
        + (f"{recovery:>7.1f} s" if recovery is not None else f"{'never':>9}")
    )


def run(suite: Suite, name: str, args: argparse.Namespace) -> Figures:
    try:
        suite.launch()
        people = People.of(suite)
        portal = Portal(suite, suite.issue_portal_key("bench", OFFICE))
        try:
            with SCENARIOS[name](suite) as fault:
                return through_a_fault(
                    suite,
                    people,
                    portal,
                    fault,
                    label=name,
                    petitions=args.petitions,
                    rate=args.rate,
                    strike_after=max(1, int(args.petitions * args.strike_after)),
                    wait=args.wait,
                )
        finally:
            people.close()
            portal.close()
    finally:
        suite.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=2000, help="per scenario")
    parser.add_argument("--rate", type=float, default=20.0, help="petitions offered per second")
    parser.add_argument(
        "--strike-after", type=float, default=0.3, help="share acknowledged before the fault"
    )
    parser.add_argument(
        "--scenario", action="append", choices=list(SCENARIOS), help="repeatable; default: all"
    )
    parser.add_argument("--wait", type=float, default=300.0, help="seconds for the last cases")
    args = parser.parse_args()

    print(
        f"{args.petitions} petitions per scenario offered at {args.rate:g}/s, the fault struck "
        f"once {args.strike_after:.0%} are acknowledged; recovery: from the heal to the last "
        "case opened of the petitions offered before it",
        flush=True,
    )
    print(COLUMNS, flush=True)
    whole = True
    for name in args.scenario or list(SCENARIOS):
        workdir = Path(tempfile.mkdtemp(prefix=f"huiyin-{name}-"))
        try:
            figures = run(Suite(workdir=workdir, postgres_url=ADMIN, amqp_url=AMQP), name, args)
        except Exception as exc:
            whole = False
            error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            print(f"{name:<22} failed: {error} (logs in {workdir})", flush=True)
            continue
        whole = whole and figures.whole
        print(row(name, figures) + ("" if figures.whole else f"  (logs in {workdir})"), flush=True)
    sys.exit(0 if whole else 1)


if __name__ == "__main__":
    main()
