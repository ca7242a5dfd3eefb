"""Routing benchmark: registry load time and memory, decision latency, national size.

    uv run python bench/routing.py [--scale 1.0] [--decisions 20000] [--yaml-scale 0.05]

1. builds the synthetic registry document (bench/routing_registry.py) and times
   ``build_snapshot`` — validation and indexing, what every service start and every
   registry import pays — and the resident memory it adds;
2. times parsing the YAML file format with line tracking at ``--yaml-scale`` (the parse
   is linear in the file size: the figure is extrapolated to the full scale);
3. times ``decide`` for random petitions (townships and villages, 24 subjects, all kinds,
   some about officials or units) and prints p50/p90/p99/max in milliseconds.

Everything is in-process and pure: no database or broker. On a shared machine the wall
times carry the other processes' load; the CPU times much less so.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))

from routing_registry import build_document, plain_dumper

from huiyin_routing.domain.decision import decide
from huiyin_routing.domain.registry_build import build_snapshot
from huiyin_routing.domain.registry_file import parse_registry
from huiyin_shared.testing.events import petition_facts

SUBJECTS = [
    "labour.wages",
    "labour.wages.construction",
    "labour.social_insurance",
    "land.requisition",
    "land.contract",
    "land.use",
    "housing.demolition",
    "housing.quality",
    "civil_affairs.assistance",
    "veterans.pension",
    "public_security.order",
    "education.schools",
    "health.hospital",
    "market.food_safety",
    "environment.pollution",
    "community.services",
    "rural.roads",
    "mediation.neighbourhood",
    "agriculture.subsidy",
    "urban.management",
    "discipline.misconduct",
    "party.conduct",
    "litigation.judgment",
    "government.transparency",
]
KINDS = ["help_request", "appeal", "report", "accusation", "suggestion", "inquiry"]


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def petitions(document: dict[str, Any], count: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    townships = [d["code"] for d in document["divisions"] if len(d["code"]) == 9]
    officials = [p["id"] for p in document["people"] if p["id"].endswith("-head")]
    units = [o["id"] for o in document["organisations"]]
    facts = []
    for _ in range(count):
        place = rng.choice(townships)
        if rng.random() < 0.3:
            place += f"{rng.randint(1, 20):03d}"  # a village the registry does not list
        accused_people = [rng.choice(officials)] if rng.random() < 0.1 else []
        accused_units = [rng.choice(units)] if rng.random() < 0.05 else []
        facts.append(
            petition_facts(
                office_id=f"{place[:6]}-xfb",
                division_code=place,
                subject_category=rng.choice(SUBJECTS),
                kind=rng.choice(KINDS),
                accused_person_refs=accused_people,
                accused_unit_ids=accused_units,
                urgent=rng.random() < 0.05,
            )
        )
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--decisions", type=int, default=20000)
    parser.add_argument("--yaml-scale", type=float, default=0.05)
    args = parser.parse_args()

    document = build_document(args.scale)
    counties = sum(
        1 for d in document["divisions"] if len(d["code"]) == 6 and not d["code"].endswith("00")
    )
    townships = sum(1 for d in document["divisions"] if len(d["code"]) == 9)
    print(
        f"registry: scale {args.scale}: {counties} counties, {townships} townships, "
        f"{len(document['organisations'])} organisations, {len(document['people'])} people"
    )

    gc.collect()
    before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    snapshot = build_snapshot(document, version=1)
    built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
    gc.collect()
    print(
        f"build_snapshot (validate + index): {built:.2f} s wall, {built_cpu:.2f} s CPU, "
        f"+{rss_mb() - before:.0f} MB resident (process {rss_mb():.0f} MB)"
    )

    small = build_document(args.yaml_scale)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as f:
        dumper = plain_dumper()
        yaml.dump(small, f, Dumper=dumper, allow_unicode=True, sort_keys=False)
        path = Path(f.name)
    try:
        text = path.read_text(encoding="utf-8")
        started, cpu = time.perf_counter(), time.process_time()
        parse_registry(text)
        parsed, parsed_cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        path.unlink()
    ratio = len(document["organisations"]) / len(small["organisations"])
    print(
        f"YAML parse with line tracking at scale {args.yaml_scale}: {len(text) / 2**20:.1f} MB "
        f"in {parsed:.2f} s wall, {parsed_cpu:.2f} s CPU; extrapolated to scale "
        f"{args.scale}: {len(text) * ratio / 2**20:.0f} MB, ~{parsed * ratio:.0f} s wall, "
        f"~{parsed_cpu * ratio:.0f} s CPU"
    )

    facts = petitions(document, args.decisions, seed=11)
    for fact in facts[:500]:  # warm caches
        decide(fact, snapshot)
    gc.freeze()  # as the service does once a snapshot is built
    latencies: list[float] = []
    cpu: list[float] = []
    outcomes: dict[str, int] = {}
    for fact in facts:
        started_ns, cpu_ns = time.perf_counter_ns(), time.thread_time_ns()
        decision = decide(fact, snapshot)
        latencies.append((time.perf_counter_ns() - started_ns) / 1e6)
        cpu.append((time.thread_time_ns() - cpu_ns) / 1e6)
        outcomes[decision.outcome.value] = outcomes.get(decision.outcome.value, 0) + 1
    for label, values in (("wall", latencies), ("CPU", cpu)):
        print(
            f"decide x{len(values)} ({label}): p50 {percentile(values, 0.5):.3f} ms, "
            f"p90 {percentile(values, 0.9):.3f} ms, p99 {percentile(values, 0.99):.3f} ms, "
            f"max {max(values):.3f} ms"
        )
    print(f"outcomes {outcomes}")


if __name__ == "__main__":
    main()
