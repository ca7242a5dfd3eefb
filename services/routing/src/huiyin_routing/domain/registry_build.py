"""Building a registry snapshot from its document, refusing anything inconsistent.

The document is the parsed file format (``docs/routing.md``): plain mappings and lists. When
it was read from a file, each mapping knows its line (:class:`Located`), and every problem
names that line. A document with any problem yields no snapshot at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from huiyin_routing.domain.registry import (
    Competence,
    CompetenceRole,
    Conflict,
    Division,
    Organisation,
    OrganisationType,
    Person,
    RegistrySnapshot,
    implied_parent,
    level_of_code,
)
from huiyin_routing.domain.registry_index import index_registry
from huiyin_routing.domain.registry_problems import (
    ID,
    InvalidRegistryError,
    Problems,
    RegistryProblem,
    bulk_allocation,
    list_field,
    optional_id,
    text_field,
)
from huiyin_shared.contracts.events.common import PetitionKind

FORMAT = "huiyin-registry/1"
"""The file format this code reads; bumped on any incompatible change."""

_CODE = re.compile(r"^[0-9]{6}([0-9]{3}){0,2}$")
_SUBJECT = re.compile(r"^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?)$")
_AREA = re.compile(r"^[a-z0-9_-]+$")
MAX_UNIT_NAME = 200
"""Units travel in events by name (``UnitRef.unit_name``), which bounds it."""


def build_snapshot(document: Mapping[str, Any], *, version: int) -> RegistrySnapshot:
    """Validate ``document`` and index it; :class:`InvalidRegistryError` on any defect."""
    with bulk_allocation():
        return _build_snapshot(document, version)


def _build_snapshot(document: Mapping[str, Any], version: int) -> RegistrySnapshot:
    problems = Problems()
    if not isinstance(document, Mapping):
        raise InvalidRegistryError([RegistryProblem("(document)", "must be a mapping", 1)])
    if document.get("format") != FORMAT:
        problems.add(document, "format", f"must be {FORMAT!r}, got {document.get('format')!r}")
    divisions = _divisions(document, problems)
    people = _people(document, problems)
    organisations = _organisations(document, divisions, problems)
    _check_references(document, divisions, organisations, people, problems)
    conflicts = _conflicts(document, people, organisations, problems)
    if problems.items:
        raise InvalidRegistryError(problems.items)
    return index_registry(version, divisions, organisations, people, conflicts)


def _divisions(document: Mapping[str, Any], problems: Problems) -> dict[str, Division]:
    divisions: dict[str, Division] = {}
    seen_at: dict[str, int | None] = {}
    raw_list = list_field(document, "divisions", "divisions", problems)
    if not raw_list:
        problems.add(document, "divisions", "the registry has no divisions")
    for i, raw in enumerate(raw_list):
        path = f"divisions[{i}]"
        if not isinstance(raw, Mapping):
            problems.add(document, path, "must be a mapping")
            continue
        code = text_field(raw, "code", path, problems)
        name = text_field(raw, "name", path, problems)
        if code is None or name is None:
            continue
        if not _CODE.match(code):
            problems.add(raw, f"{path}.code", f"not a 6, 9 or 12-digit division code: {code}")
            continue
        if code in divisions:
            first = seen_at[code]
            problems.add(
                raw, f"{path}.code", f"duplicate division code {code} (first at line {first})"
            )
            continue
        parent_raw = raw.get("parent", implied_parent(code))
        parent = None if parent_raw is None else str(parent_raw)
        leaders = raw.get("leaders") or {}
        if not isinstance(leaders, Mapping):
            problems.add(raw, f"{path}.leaders", "must be a mapping")
            leaders = {}
        in_charge = leaders.get("in_charge") or {}
        if not isinstance(in_charge, Mapping) or not all(
            isinstance(k, str) and _AREA.match(k) and isinstance(v, str) and ID.match(v)
            for k, v in in_charge.items()
        ):
            problems.add(raw, f"{path}.leaders.in_charge", "must map areas to person ids")
            in_charge = {}
        seen_at[code] = getattr(raw, "line", None)
        divisions[code] = Division(
            code=code,
            name=name,
            level=level_of_code(code),
            parent=parent,
            top_leader=optional_id(leaders, "top", f"{path}.leaders", problems),
            leaders_in_charge=dict(in_charge),
        )
    _check_tree(raw_list, divisions, problems)
    return divisions


def _check_tree(raw_list: list[Any], divisions: dict[str, Division], problems: Problems) -> None:
    raw_by_code = {
        str(raw.get("code")): raw for raw in raw_list if isinstance(raw, Mapping) and "code" in raw
    }
    for division in list(divisions.values()):
        raw = raw_by_code.get(division.code)
        if division.parent is not None and division.parent not in divisions:
            # A parent the scheme merely implies may be absent: the division is then a root.
            if raw is not None and "parent" in raw:
                problems.add(
                    raw, f"{division.code}.parent", f"unknown division code {division.parent}"
                )
            else:
                divisions[division.code] = Division(
                    code=division.code,
                    name=division.name,
                    level=division.level,
                    parent=None,
                    top_leader=division.top_leader,
                    leaders_in_charge=division.leaders_in_charge,
                )
    for start in divisions:
        seen: set[str] = set()
        current: str | None = start
        while current is not None and current in divisions:
            if current in seen:
                problems.add(
                    raw_by_code.get(start),
                    f"{start}.parent",
                    f"division {start} is part of a cycle",
                )
                break
            seen.add(current)
            current = divisions[current].parent


def _people(document: Mapping[str, Any], problems: Problems) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for i, raw in enumerate(list_field(document, "people", "people", problems)):
        path = f"people[{i}]"
        if not isinstance(raw, Mapping):
            problems.add(document, path, "must be a mapping")
            continue
        person_id = optional_id(raw, "id", path, problems)
        name = text_field(raw, "name", path, problems)
        unit = optional_id(raw, "unit", path, problems)
        if person_id is None or name is None or unit is None:
            if person_id is None or unit is None:
                problems.add(raw, path, "a person needs an id and a unit")
            continue
        if person_id in people:
            problems.add(raw, f"{path}.id", f"duplicate person id {person_id}")
            continue
        people[person_id] = Person(
            person_id=person_id,
            name=name,
            unit=unit,
            post=str(raw.get("post") or ""),
            managed_by=optional_id(raw, "managed_by", path, problems),
        )
    return people


def _competences(raw: Mapping[str, Any], path: str, problems: Problems) -> tuple[Competence, ...]:
    result: list[Competence] = []
    for j, item in enumerate(list_field(raw, "competences", path, problems)):
        where = f"{path}.competences[{j}]"
        if not isinstance(item, Mapping):
            problems.add(raw, where, "must be a mapping")
            continue
        key = _competence_key(item)
        known = None if key is None else problems.competences.get(key)
        if known is not None:
            result.append(known)
            continue
        subjects = item.get("subjects")
        if not isinstance(subjects, list) or not subjects:
            problems.add(item, f"{where}.subjects", "at least one subject category is required")
            continue
        bad = [s for s in subjects if not isinstance(s, str) or not _SUBJECT.match(s)]
        if bad:
            problems.add(item, f"{where}.subjects", f"not subject categories: {bad}")
            continue
        kinds_raw = item.get("kinds") or []
        try:
            kinds = frozenset(PetitionKind(k) for k in kinds_raw)
        except (ValueError, TypeError):
            allowed = ", ".join(k.value for k in PetitionKind)
            problems.add(item, f"{where}.kinds", f"kinds must be among: {allowed}")
            continue
        try:
            role = CompetenceRole(item.get("role", CompetenceRole.LEAD.value))
        except ValueError:
            problems.add(item, f"{where}.role", "role must be lead or participate")
            continue
        priority = item.get("priority", 100)
        if not isinstance(priority, int) or isinstance(priority, bool) or priority < 0:
            problems.add(item, f"{where}.priority", "priority must be a non-negative integer")
            continue
        competence = Competence(tuple(subjects), kinds, role, priority)
        if key is not None:
            problems.competences[key] = competence
        result.append(competence)
    return tuple(result)


def _competence_key(item: Mapping[str, Any]) -> object:
    """A hashable identity of a well-shaped competence entry, else None (checked in full)."""
    subjects, kinds = item.get("subjects"), item.get("kinds") or []
    if not isinstance(subjects, list) or not isinstance(kinds, list):
        return None
    if not all(isinstance(v, str) for v in (*subjects, *kinds)) or set(item) - _COMPETENCE_KEYS:
        return None
    return (tuple(subjects), tuple(kinds), item.get("role"), item.get("priority"))


_COMPETENCE_KEYS = frozenset({"subjects", "kinds", "role", "priority"})


def _organisations(
    document: Mapping[str, Any], divisions: Mapping[str, Division], problems: Problems
) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for i, raw in enumerate(list_field(document, "organisations", "organisations", problems)):
        path = f"organisations[{i}]"
        if not isinstance(raw, Mapping):
            problems.add(document, path, "must be a mapping")
            continue
        unit_id = optional_id(raw, "id", path, problems)
        name = text_field(raw, "name", path, problems)
        division = text_field(raw, "division", path, problems)
        if unit_id is None or name is None or division is None:
            continue
        if unit_id in organisations:
            problems.add(raw, f"{path}.id", f"duplicate organisation id {unit_id}")
            continue
        if len(name) > MAX_UNIT_NAME:
            problems.add(raw, f"{path}.name", f"longer than {MAX_UNIT_NAME} characters")
            continue
        if division not in divisions:
            problems.add(raw, f"{path}.division", f"unknown division code {division}")
            continue
        try:
            kind = OrganisationType(str(raw.get("type")))
        except ValueError:
            allowed = ", ".join(t.value for t in OrganisationType)
            problems.add(raw, f"{path}.type", f"type must be one of: {allowed}")
            continue
        competences = _competences(raw, path, problems)
        if not competences:
            problems.add(raw, f"{path}.competences", f"unit {unit_id} has no competences")
            continue
        handlers = list_field(raw, "handlers", path, problems)
        if not all(isinstance(h, str) and ID.match(h) for h in handlers):
            problems.add(raw, f"{path}.handlers", "handlers must be staff ids")
            handlers = []
        organisations[unit_id] = Organisation(
            unit_id=unit_id,
            name=name,
            division=division,
            type=kind,
            competences=competences,
            head=optional_id(raw, "head", path, problems),
            superior=optional_id(raw, "superior", path, problems),
            handlers=tuple(handlers),
        )
    return organisations


def _check_references(
    document: Mapping[str, Any],
    divisions: Mapping[str, Division],
    organisations: Mapping[str, Organisation],
    people: Mapping[str, Person],
    problems: Problems,
) -> None:
    raw_orgs = {
        raw.get("id"): raw
        for raw in list_field(document, "organisations", "organisations", Problems())
        if isinstance(raw, Mapping)
    }
    # A unit refused above is reported once, not again by everything that names it.
    known = set(organisations) | {key for key in raw_orgs if isinstance(key, str)}
    for unit in organisations.values():
        raw = raw_orgs.get(unit.unit_id)
        if unit.superior is not None and unit.superior not in known:
            problems.add(raw, f"{unit.unit_id}.superior", f"unknown organisation {unit.superior}")
        if unit.head is not None and unit.head not in people:
            problems.add(raw, f"{unit.unit_id}.head", f"unknown person {unit.head}")
    _check_superior_cycles(organisations, raw_orgs, problems)
    raw_people = {
        raw.get("id"): raw
        for raw in list_field(document, "people", "people", Problems())
        if isinstance(raw, Mapping)
    }
    for person in people.values():
        raw = raw_people.get(person.person_id)
        if person.unit not in known:
            problems.add(raw, f"{person.person_id}.unit", f"unknown organisation {person.unit}")
        if person.managed_by is not None and person.managed_by not in known:
            problems.add(
                raw, f"{person.person_id}.managed_by", f"unknown organisation {person.managed_by}"
            )
        if person.managed_by == person.unit:
            problems.add(
                raw, f"{person.person_id}.managed_by", "an official is never managed by own unit"
            )
    raw_divs = {
        str(raw.get("code")): raw
        for raw in list_field(document, "divisions", "divisions", Problems())
        if isinstance(raw, Mapping)
    }
    for division in divisions.values():
        named = [division.top_leader, *division.leaders_in_charge.values()]
        for person_id in filter(None, named):
            if person_id not in people:
                problems.add(
                    raw_divs.get(division.code),
                    f"{division.code}.leaders",
                    f"unknown person {person_id}",
                )


def _check_superior_cycles(
    organisations: Mapping[str, Organisation], raw_orgs: Mapping[Any, Any], problems: Problems
) -> None:
    for start in organisations:
        seen: set[str] = set()
        current: str | None = start
        while current is not None and current in organisations:
            if current in seen:
                problems.add(raw_orgs.get(start), f"{start}.superior", "superiors form a cycle")
                break
            seen.add(current)
            current = organisations[current].superior


def _conflicts(
    document: Mapping[str, Any],
    people: Mapping[str, Person],
    organisations: Mapping[str, Organisation],
    problems: Problems,
) -> dict[str, tuple[Conflict, ...]]:
    found: dict[str, list[Conflict]] = defaultdict(list)
    declared = set(organisations) | {
        raw.get("id")
        for raw in list_field(document, "organisations", "organisations", Problems())
        if isinstance(raw, Mapping)
    }
    for i, raw in enumerate(list_field(document, "conflicts", "conflicts", problems)):
        path = f"conflicts[{i}]"
        if not isinstance(raw, Mapping):
            problems.add(document, path, "must be a mapping")
            continue
        staff = optional_id(raw, "staff", path, problems)
        reason = text_field(raw, "reason", path, problems)
        with_person = optional_id(raw, "with_person", path, problems)
        with_unit = optional_id(raw, "with_unit", path, problems)
        if staff is None or reason is None:
            continue
        if (with_person is None) == (with_unit is None):
            problems.add(raw, path, "a conflict names exactly one of with_person, with_unit")
            continue
        if with_unit is not None and with_unit not in declared:
            problems.add(raw, f"{path}.with_unit", f"unknown organisation {with_unit}")
            continue
        found[staff].append(Conflict(staff, reason, with_person, with_unit))
    return {staff: tuple(items) for staff, items in found.items()}


__all__ = ["FORMAT", "MAX_UNIT_NAME", "build_snapshot"]
