"""Petitions flowing through a fault, and its figures in the Jepsen style.

Shared by the fault tests and ``bench/e2e_faults.py``. A portal offers petitions at a fixed
rate (open loop: a slow answer does not hold back the next petition) and a clerk accepts
each at once; both retry what is refused, with the same ``Idempotency-Key``, as a portal
and a clerk do. Once some are acknowledged the fault strikes, while the rest keep coming.
When it has healed, every acknowledged petition must reach exactly one case, with exactly
one routing decision.

The figures: sent; acknowledged (and the retries it took); lost (acknowledged, yet no case
within the wait); duplicated effects (petitions with more than one case, or more than one
routing decision); time to recover, from the heal to the last case opened of the
petitions offered before it (0 when none of them waited for the heal).
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from tests.e2e.flow import People, Petition, Portal, every_case, ok, wage_petition
from tests.e2e.harness import Suite, eventually

Fault = Callable[[], datetime]
"""Strikes, holds, heals; returns the instant it healed, on the suite's clock."""

CLIENTS = 64
"""Requests in flight at once: petitions caught in a fault wait in them, retrying."""
RETRY_SECONDS = 120.0
"""How long a portal or a clerk keeps retrying one petition before giving up on it."""
RETRY_PAUSE_SECONDS = 0.5
POISON = b'{"id": "not-a-uuid", "type": "petition.accepted", "data": "\\u0000'
"""Bytes that are no event: unreadable, they must be dead-lettered where they are read."""


@dataclass(frozen=True)
class Figures:
    fault: str
    sent: int
    acknowledged: int
    retries: int
    lost: int
    duplicate_cases: int
    duplicate_decisions: int
    recovery_seconds: float | None
    """None when some acknowledged petition never reached its case."""

    @property
    def duplicated(self) -> int:
        return self.duplicate_cases + self.duplicate_decisions

    @property
    def whole(self) -> bool:
        """Every petition acknowledged, none lost, nothing done twice."""
        return self.acknowledged == self.sent and self.lost == 0 and self.duplicated == 0

    def line(self) -> str:
        recovered = "never" if self.recovery_seconds is None else f"{self.recovery_seconds:.1f} s"
        return (
            f"fault: {self.fault} | sent {self.sent} | acknowledged {self.acknowledged} "
            f"(after {self.retries} retries) | lost {self.lost} | duplicated effects "
            f"{self.duplicated} ({self.duplicate_cases} cases, {self.duplicate_decisions} "
            f"routing decisions) | time to recover {recovered} (heal to last case opened)"
        )


def assert_whole(figures: Figures) -> None:
    """Print the figures, then require nothing lost and nothing done twice."""
    print(f"\n{figures.line()}")
    assert figures.acknowledged == figures.sent, "every petition acknowledged, each once"
    assert figures.lost == 0, "every acknowledged petition reached its case"
    assert figures.duplicated == 0, "no petition with two cases or two routing decisions"


class Offer:
    """Petitions offered at ``rate`` per second, from a thread pool of their own."""

    def __init__(
        self,
        suite: Suite,
        people: People,
        portal: Portal,
        *,
        label: str,
        petitions: int,
        rate: float,
    ) -> None:
        self.suite, self.people, self.portal = suite, people, portal
        self.label, self.petitions, self.rate = label, petitions, rate
        self.offered: dict[str, datetime] = {}
        """Acknowledged petition id → its first attempt, on the suite's clock."""
        self.acknowledged: list[Petition] = []
        self.retries = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="offer")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Offer no more and give up retrying (the run failed)."""
        self._stopping.set()

    def join(self) -> None:
        self._thread.join()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def _run(self) -> None:
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            offered = [
                pool.submit(self._one, number, began + number / self.rate)
                for number in range(self.petitions)
            ]
            for future in offered:
                future.result()  # anything but a refusal is a bug of the test: raised here

    def _one(self, number: int, at: float) -> None:
        time.sleep(max(0.0, at - time.monotonic()))
        if self._stopping.is_set():
            return
        offered = self.suite.clock.now()
        body = wage_petition(summary=f"故障测试（{self.label}）第{number}件：某公司拖欠工资")
        key = str(uuid.uuid4())  # the same key on every retry: one petition
        try:
            petition = self._retried(lambda: self.portal.submit(body, key))
            self._retried(lambda: self._accept(petition))
        except (AssertionError, httpx.HTTPError):
            return  # given up on: sent, not acknowledged
        with self._lock:
            self.offered[petition.petition_id] = offered
            self.acknowledged.append(petition)

    def _accept(self, petition: Petition) -> None:
        answer = self.people.clerk.intake.post(
            f"/v1/petitions/{petition.petition_id}/decision", json={"decision": "accept"}
        )
        # A retry after a lost answer finds the petition accepted already.
        assert answer.status_code == 200 or "already accepted" in answer.text, answer.text

    def _retried(self, action: Callable[[], Any]) -> Any:
        """As a portal and a clerk do: try again until the service answers."""
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            try:
                return action()
            except (AssertionError, httpx.HTTPError):
                if time.monotonic() > deadline or self._stopping.is_set():
                    raise
                with self._lock:
                    self.retries += 1
                time.sleep(RETRY_PAUSE_SECONDS)


def through_a_fault(
    suite: Suite,
    people: People,
    portal: Portal,
    fault: Fault,
    *,
    label: str,
    petitions: int,
    rate: float,
    strike_after: int,
    wait: float = 180.0,
) -> Figures:
    """Offer ``petitions`` at ``rate``/s; once ``strike_after`` are acknowledged the fault
    strikes. Waits up to ``wait`` seconds after the flow for every case, then counts."""
    offer = Offer(suite, people, portal, label=label, petitions=petitions, rate=rate)
    offer.start()
    try:
        eventually(
            lambda: len(offer.acknowledged) >= strike_after or offer.done,
            seconds=RETRY_SECONDS,
            what=f"{strike_after} petitions acknowledged before the fault",
        )
        healed = fault()
    except BaseException:
        offer.stop()
        raise
    finally:
        offer.join()
    return tally(people, offer, healed, label=label, wait=wait)


def tally(people: People, offer: Offer, healed: datetime, *, label: str, wait: float) -> Figures:
    """The figures, once every acknowledged petition has its case or ``wait`` is over."""
    wanted = {p.petition_id for p in offer.acknowledged}
    deadline = time.monotonic() + wait
    while not wanted <= (cases := original_cases(people)).keys():
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda p: routing_decisions(people, p), sorted(wanted)))
    # Read again: a case opened twice by a late redelivery has had the time to land.
    cases = original_cases(people)
    lost = wanted - cases.keys()
    waited = [min(cases[p]) for p, at in offer.offered.items() if at < healed and p in cases]
    recovery = None
    if not lost:
        recovery = max(0.0, (max(waited, default=healed) - healed).total_seconds())
    return Figures(
        fault=label,
        sent=offer.petitions,
        acknowledged=len(offer.acknowledged),
        retries=offer.retries,
        lost=len(lost),
        duplicate_cases=sum(1 for p in wanted if len(cases.get(p, ())) > 1),
        duplicate_decisions=sum(1 for n in decisions if n > 1),
        recovery_seconds=recovery,
    )


def original_cases(people: People) -> dict[str, list[datetime]]:
    """When each petition's original (not review) lead cases opened."""
    found: dict[str, list[datetime]] = defaultdict(list)
    for case in every_case(people.supervisor):
        if case["review_tier"] is None and case["role"] == "lead":
            found[case["petition_id"]].append(datetime.fromisoformat(case["opened_at"]))
    return found


def routing_decisions(people: People, petition_id: str) -> int:
    answer = people.clerk.routing.get(f"/v1/routing-requests/{petition_id}/explanation")
    if answer.status_code == 404:
        return 0  # never routed: counted as lost by its missing case
    return len(ok(answer)["decisions"])


# The faults. Each is a context manager around the flow: it sets up what the fault needs
# (a proxy in front of a service), yields the fault to strike, and leaves the suite whole.


@contextlib.contextmanager
def killed(suite: Suite, name: str, *, down_seconds: float = 3.0) -> Iterator[Fault]:
    """``name`` SIGKILLed, left down while petitions keep coming, then started again."""

    def fault() -> datetime:
        suite[name].kill()
        time.sleep(down_seconds)
        suite[name].start()
        restarted = suite.clock.now()
        suite[name].wait_ready()
        return restarted

    try:
        yield fault
    finally:
        if not suite[name].running:
            suite[name].start()
            suite[name].wait_ready()


@contextlib.contextmanager
def rabbitmq_restarted(suite: Suite, *, down_seconds: float = 5.0) -> Iterator[Fault]:
    """The real broker's application stopped (``rabbitmqctl stop_app``) and started again;
    afterwards every service answers ``/readyz``. Quorum queues and persistent messages
    survive it, so nothing confirmed may be lost."""

    def fault() -> datetime:
        try:
            rabbitmqctl("stop_app")
            time.sleep(down_seconds)
        finally:
            # Whatever failed, the machine's broker (other processes use it too) comes back.
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
        restarted = suite.clock.now()
        for svc in suite.services.values():
            svc.wait_ready()
        return restarted

    yield fault


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@contextlib.contextmanager
def database_refused(suite: Suite, name: str, *, seconds: float = 10.0) -> Iterator[Fault]:
    """``name``'s database stopped for ``seconds``, as far as ``name`` can tell: it reaches
    PostgreSQL through a proxy that closes every connection and refuses new ones (the
    machine's PostgreSQL keeps running for everyone else). ``/readyz`` must answer 503
    meanwhile and 200 after."""
    with suite.behind_proxy(name, "database") as proxy:

        def fault() -> datetime:
            refused = time.monotonic()
            proxy.refuse()
            try:
                eventually(
                    lambda: suite[name].readiness() == 503,
                    what=f"{name}'s /readyz answering 503 while its database refuses",
                )
                time.sleep(max(0.0, refused + seconds - time.monotonic()))
            finally:
                proxy.heal()
            healed = suite.clock.now()
            eventually(suite[name].ready, what=f"{name}'s /readyz answering 200 again")
            return healed

        yield fault


@contextlib.contextmanager
def broker_blackholed(
    suite: Suite, name: str, *, seconds: float = 40.0, **settings: str
) -> Iterator[Fault]:
    """``name``'s broker connection silently dropped for ``seconds``: it reaches RabbitMQ
    through a proxy that swallows every byte and closes nothing, then heals."""
    with suite.behind_proxy(name, "broker", **settings) as proxy:

        def fault() -> datetime:
            proxy.block()
            try:
                time.sleep(seconds)
            finally:
                proxy.heal()
            return suite.clock.now()

        yield fault


@contextlib.contextmanager
def poisoned(suite: Suite) -> Iterator[Fault]:
    """A poison message published on the run's exchange as ``petition.accepted``, which
    routing reads; nothing to heal, so the time to recover runs from the injection."""

    def fault() -> datetime:
        suite.publish_raw("petition.accepted", POISON)
        return suite.clock.now()

    yield fault
