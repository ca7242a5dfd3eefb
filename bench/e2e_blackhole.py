"""Fault figures: routing's broker connection silently dropped (blackholed), then healed.

    uv run python bench/e2e_blackhole.py [--petitions 24] [--blackhole-seconds 40] [--wait 120]

Starts the four services (the end-to-end harness), with routing reaching RabbitMQ through
a TCP proxy on loopback that, when blocked, keeps every connection open and swallows every
byte: no FIN, no RST. Petitions flow (portal POST, clerk's acceptance); after a third of
them the proxy blocks for the given time, then heals. Prints, in the Jepsen style: sent,
acknowledged, lost (no case after --wait seconds from the heal), duplicated effects, time
to recover, and routing's broker log lines (connection lost / connected, publish failures).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.blackhole import Blackhole
from tests.e2e.flow import OFFICE, People, Petition, Portal, wage_petition
from tests.e2e.harness import Suite
from tests.e2e.test_faults import original_cases

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=24)
    parser.add_argument("--blackhole-seconds", type=float, default=40.0)
    parser.add_argument("--wait", type=float, default=120.0)
    args = parser.parse_args()

    suite = Suite(
        workdir=Path(tempfile.mkdtemp(prefix="huiyin-blackhole-")),
        postgres_url=ADMIN,
        amqp_url=AMQP,
    )
    parts = urlsplit(AMQP)
    proxy = Blackhole(parts.hostname or "127.0.0.1", parts.port or 5672)
    proxy.start()
    try:
        suite.create()
        suite["routing"].env["HUIYIN_ROUTING_AMQP_URL"] = parts._replace(
            netloc=f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
        ).geturl()
        suite.migrate()
        suite.load_sample_registry()
        suite.start()
        people = People.of(suite)
        portal = Portal(suite, suite.issue_portal_key("bench", OFFICE))
        sent: list[Petition] = []
        errors = 0

        def flow() -> None:
            nonlocal errors
            for number in range(args.petitions):
                try:
                    petition = portal.submit(wage_petition(summary=f"黑洞测试第{number}件：欠薪"))
                    people.accept(petition)
                    sent.append(petition)
                except Exception:
                    errors += 1
                time.sleep(0.5)

        sender = threading.Thread(target=flow)
        sender.start()
        while len(sent) < args.petitions // 3 and sender.is_alive():
            time.sleep(0.1)
        proxy.block()
        time.sleep(args.blackhole_seconds)
        proxy.heal()
        healed = time.monotonic()
        sender.join()
        wanted = {p.petition_id for p in sent}
        cases: Counter[str] = Counter()
        recovered = None
        while time.monotonic() < healed + args.wait:
            cases = original_cases(people)
            if wanted <= set(cases):
                recovered = time.monotonic() - healed
                break
            time.sleep(1)
        lost = len(wanted - set(cases))
        duplicated = sum(1 for p in wanted if cases[p] > 1)
        print(
            f"fault: routing's broker link blackholed {args.blackhole_seconds:.0f} s | "
            f"sent {args.petitions} | acknowledged {len(sent)} | refused {errors} | "
            f"without a case {args.wait:.0f} s after the heal {lost} | "
            f"duplicated effects {duplicated} | time to recover "
            + (f"{recovered:.1f} s" if recovered is not None else "not within the wait")
        )
        events = Counter(
            e.get("event")
            for e in suite["routing"].log_events()
            if str(e.get("event", "")).startswith(("broker.", "outbox.publish"))
        )
        print(f"routing's broker log: {dict(events)}")
        people.close()
        portal.close()
    finally:
        suite.destroy()
        proxy.close()


if __name__ == "__main__":
    main()
