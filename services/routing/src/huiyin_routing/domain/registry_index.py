"""Indexing a validated registry for routing: competence by division and subject pattern,
units by division, and the units each person heads or leads."""

from __future__ import annotations

from collections import defaultdict

from huiyin_routing.domain.registry import (
    Competence,
    Conflict,
    Division,
    Organisation,
    OrganisationType,
    Person,
    RegistrySnapshot,
)


def index_registry(
    version: int,
    divisions: dict[str, Division],
    organisations: dict[str, Organisation],
    people: dict[str, Person],
    conflicts: dict[str, tuple[Conflict, ...]],
) -> RegistrySnapshot:
    by_division: dict[str, list[Organisation]] = defaultdict(list)
    competence: dict[str, dict[str, list[tuple[Organisation, Competence]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    led_by: dict[str, list[str]] = defaultdict(list)
    for unit in organisations.values():
        by_division[unit.division].append(unit)
        for item in unit.competences:
            for subject in item.subjects:
                competence[unit.division][subject].append((unit, item))
        if unit.head is not None:
            led_by[unit.head].append(unit.unit_id)
    for division in divisions.values():
        government = next(
            (
                u
                for u in by_division.get(division.code, ())
                if u.type is OrganisationType.GOVERNMENT
            ),
            None,
        )
        if government is None:
            continue
        for leader in filter(None, [division.top_leader, *division.leaders_in_charge.values()]):
            if government.unit_id not in led_by[leader]:
                led_by[leader].append(government.unit_id)
    return RegistrySnapshot(
        version=version,
        divisions=divisions,
        organisations=organisations,
        people=people,
        conflicts=conflicts,
        competence_index={
            code: {pattern: tuple(items) for pattern, items in patterns.items()}
            for code, patterns in competence.items()
        },
        units_by_division={code: tuple(units) for code, units in by_division.items()},
        units_led_by={person: tuple(units) for person, units in led_by.items()},
    )
