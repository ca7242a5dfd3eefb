"""The jurisdiction registry: divisions, organisations, people, leaders and conflicts.

A :class:`RegistrySnapshot` is immutable and indexed for routing: a decision reads it and
nothing else, so the same petition facts and the same snapshot always give the same decision.
Snapshots are built (and validated) by :mod:`huiyin_routing.domain.registry_build`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from huiyin_shared.contracts.events.common import PetitionKind


class DivisionLevel(StrEnum):
    """Levels of the administrative division tree (national statistical division codes)."""

    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


def level_of_code(code: str) -> DivisionLevel:
    """The level a well-formed division code denotes (6, 9 or 12 digits)."""
    if len(code) == 12:
        return DivisionLevel.VILLAGE
    if len(code) == 9:
        return DivisionLevel.TOWNSHIP
    if code.endswith("0000"):
        return DivisionLevel.PROVINCE
    if code.endswith("00"):
        return DivisionLevel.PREFECTURE
    return DivisionLevel.COUNTY


def implied_parent(code: str) -> str | None:
    """The parent code the national code scheme implies (absent for a province)."""
    level = level_of_code(code)
    if level is DivisionLevel.VILLAGE:
        return code[:9]
    if level is DivisionLevel.TOWNSHIP:
        return code[:6]
    if level is DivisionLevel.COUNTY:
        return code[:4] + "00"
    if level is DivisionLevel.PREFECTURE:
        return code[:2] + "0000"
    return None


class OrganisationType(StrEnum):
    PARTY_COMMITTEE = "party_committee"
    GOVERNMENT = "government"
    DEPARTMENT = "department"
    DISCIPLINE_INSPECTION = "discipline_inspection"
    PETITION_OFFICE = "petition_office"
    # Out-of-scope authorities: matters for them are referred out, never routed to them.
    COURT = "court"
    PROCURATORATE = "procuratorate"
    LEGISLATURE = "legislature"
    ARBITRATION = "arbitration"
    RECONSIDERATION = "reconsideration"

    @property
    def out_of_scope(self) -> bool:
        return self in _OUT_OF_SCOPE


_OUT_OF_SCOPE = frozenset(
    {
        OrganisationType.COURT,
        OrganisationType.PROCURATORATE,
        OrganisationType.LEGISLATURE,
        OrganisationType.ARBITRATION,
        OrganisationType.RECONSIDERATION,
    }
)


class CompetenceRole(StrEnum):
    """Whether a competence makes its unit eligible to lead, or only to take part."""

    LEAD = "lead"
    PARTICIPATE = "participate"


ALL_SUBJECTS = "*"


def subject_patterns(subject: str) -> Iterator[str]:
    """The patterns that match ``subject``, most specific first.

    ``labour.wages.arrears`` is matched by itself, ``labour.wages.*``, ``labour.*`` and ``*``.
    """
    yield subject
    parts = subject.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:cut]) + ".*"
    yield ALL_SUBJECTS


def pattern_specificity(pattern: str) -> int:
    """How specific a subject pattern is: exact beats any wildcard, longer beats shorter."""
    if pattern == ALL_SUBJECTS:
        return 0
    if pattern.endswith(".*"):
        return 2 * pattern.count(".") - 1
    return 2 * (pattern.count(".") + 1)


@dataclass(frozen=True, slots=True)
class Competence:
    """A unit is competent for these subject patterns, for these kinds (all when empty)."""

    subjects: tuple[str, ...]
    kinds: frozenset[PetitionKind] = frozenset()
    role: CompetenceRole = CompetenceRole.LEAD
    priority: int = 100
    """Among units equally specific for a subject, the lowest priority leads."""

    def covers_kind(self, kind: PetitionKind) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: DivisionLevel
    parent: str | None
    top_leader: str | None = None
    leaders_in_charge: Mapping[str, str] = field(default_factory=dict)
    """Area (the first segment of a subject category, e.g. ``labour``) → deputy in charge."""


@dataclass(frozen=True, slots=True)
class Organisation:
    unit_id: str
    name: str
    division: str
    type: OrganisationType
    competences: tuple[Competence, ...]
    head: str | None = None
    superior: str | None = None
    """The body above the unit; when absent it is derived (see ``RegistrySnapshot.superior_of``)."""
    handlers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    """An official: a leader, a unit head, a handler or anyone a petition may be about."""

    person_id: str
    name: str
    unit: str
    post: str
    managed_by: str | None = None
    """The unit holding cadre-management authority over this official (干部管理权限)."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """A declared direct interest: this staff member must not handle or decide such matters."""

    staff_id: str
    reason: str
    with_person: str | None = None
    with_unit: str | None = None


@dataclass(frozen=True)
class RegistrySnapshot:
    """One version of the registry, indexed for routing decisions."""

    version: int
    divisions: Mapping[str, Division]
    organisations: Mapping[str, Organisation]
    people: Mapping[str, Person]
    conflicts: Mapping[str, tuple[Conflict, ...]]
    competence_index: Mapping[str, Mapping[str, tuple[tuple[Organisation, Competence], ...]]]
    """Division code → subject pattern → the units at that division competent for it."""
    units_by_division: Mapping[str, tuple[Organisation, ...]]
    units_led_by: Mapping[str, tuple[str, ...]]
    """Person id → ids of the units that person heads or leads (top leader, deputy)."""

    def ancestors(self, code: str) -> Iterator[Division]:
        """The division itself and every division above it, lowest first."""
        current: str | None = code
        while current is not None:
            division = self.divisions[current]
            yield division
            current = division.parent

    def nearest_known(self, code: str) -> str | None:
        """The code itself when registered, else its nearest registered ancestor by code."""
        candidate: str | None = code
        while candidate is not None and candidate not in self.divisions:
            candidate = implied_parent(candidate)
        return candidate

    def government_of(self, code: str) -> Organisation | None:
        for unit in self.units_by_division.get(code, ()):
            if unit.type is OrganisationType.GOVERNMENT:
                return unit
        return None

    def superior_of(self, unit: Organisation) -> Organisation | None:
        """The body above a unit: declared, else its level's government (for a department),
        else the government one level up (for a government or party committee)."""
        if unit.superior is not None:
            return self.organisations.get(unit.superior)
        division = self.divisions[unit.division]
        if unit.type in (OrganisationType.GOVERNMENT, OrganisationType.PARTY_COMMITTEE):
            return None if division.parent is None else self.government_of(division.parent)
        return self.government_of(unit.division)

    def conflicts_of(self, staff_id: str) -> tuple[Conflict, ...]:
        return self.conflicts.get(staff_id, ())
