"""Registry use cases: import a file, change one entry, read the current snapshot."""

from __future__ import annotations

import asyncio
import copy
import gc
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import structlog

from huiyin_routing.domain.registry import RegistrySnapshot
from huiyin_routing.domain.registry_build import FORMAT, build_snapshot
from huiyin_routing.domain.registry_problems import (
    InvalidRegistryError,
    Located,
    RegistryProblem,
)
from huiyin_routing.repository import RegistryChange, RegistryVersionRow
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.errors import NotFound, RuleViolation

log = structlog.get_logger(__name__)

Collection = Literal["divisions", "organisations", "people", "conflicts"]
_KEYS: Mapping[str, str] = {"divisions": "code", "organisations": "id", "people": "id"}


class RegistryRefused(RuleViolation):
    slug = "registry-refused"
    title = "The registry was refused; nothing was changed"

    @classmethod
    def of(cls, problems: list[RegistryProblem]) -> RegistryRefused:
        first = problems[0].describe() if problems else "no detail"
        return cls(
            f"{len(problems)} problem(s); first: {first}",
            errors=[
                {
                    "field": p.path,
                    "message": p.message if p.line is None else f"line {p.line}: {p.message}",
                    "type": "registry",
                }
                for p in problems
            ],
        )


class NoRegistry(NotFound):
    slug = "no-registry"
    title = "No registry is loaded"


class RegistryCache:
    """The current snapshot, rebuilt only when a newer version is committed."""

    def __init__(self) -> None:
        self._snapshot: RegistrySnapshot | None = None
        self._lock = asyncio.Lock()

    async def current(self, uow: RoutingUnitOfWork) -> RegistrySnapshot | None:
        version = await uow.registry.current_version()
        if version is None:
            return None
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        async with self._lock:
            if self._snapshot is not None and self._snapshot.version == version:
                return self._snapshot
            document = await uow.registry.document(version)
            if document is None:
                return None
            built = await asyncio.to_thread(build_snapshot, document, version=version)
            # The snapshot lives until the next version: keep the cyclic collector from
            # walking its millions of objects on every full collection (the snapshot holds
            # no cycles, so reference counting still frees it when it is replaced).
            gc.freeze()
            self._snapshot = built
            log.info("registry.snapshot_loaded", version=version, units=len(built.organisations))
            return built


def _plain(document: Any) -> Any:
    """The document without line bookkeeping, as JSON stores it."""
    if isinstance(document, Mapping):
        return {str(k): _plain(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_plain(v) for v in document]
    return document


def checksum_of(document: Any) -> str:
    """The checksum a version of this document is stored with."""
    return _checksum(_plain(document))


def _checksum(document: Any) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _validated(
    uow: RoutingUnitOfWork, document: Mapping[str, Any], version: int
) -> RegistrySnapshot:
    """The snapshot of ``document``, or every problem with it: open routes it would
    orphan first, then its own defects."""
    open_units = await uow.requests.open_route_units()
    organisations = document.get("organisations")
    declared = {
        str(raw.get("id"))
        for raw in (organisations if isinstance(organisations, list) else [])
        if isinstance(raw, Mapping)
    }
    line = document.line_of("organisations") if isinstance(document, Located) else None
    problems = [
        RegistryProblem(
            "organisations",
            f"unit {unit_id} is missing but {open_units[unit_id]} open route(s) lead to it: "
            "re-route them first",
            line,
        )
        for unit_id in sorted(set(open_units) - declared)
    ]
    try:
        snapshot = await asyncio.to_thread(build_snapshot, document, version=version)
    except InvalidRegistryError as exc:
        problems.extend(exc.problems)
    if problems:
        raise RegistryRefused.of(problems)
    return snapshot


async def _save(
    uow: RoutingUnitOfWork,
    *,
    snapshot: RegistrySnapshot,
    document: Mapping[str, Any],
    source: str,
    by: str,
    reason: str,
    now: datetime,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> RegistryVersionRow:
    plain = await asyncio.to_thread(_plain, document)
    checksum = await asyncio.to_thread(_checksum, plain)
    row = RegistryVersionRow(
        version=snapshot.version,
        format=FORMAT,
        checksum=checksum,
        source=source[:200],
        created_at=now,
        created_by=by,
        reason=reason,
        counts={
            "divisions": len(snapshot.divisions),
            "organisations": len(snapshot.organisations),
            "people": len(snapshot.people),
            "conflicts": sum(len(c) for c in snapshot.conflicts.values()),
        },
    )
    await uow.registry.add(row, plain)
    await uow.registry.record_change(
        RegistryChange(
            version=snapshot.version,
            changed_at=now,
            changed_by=by,
            action=action,
            target=target[:200],
            reason=reason,
            detail={**detail, "checksum": row.checksum, "counts": row.counts},
        )
    )
    log.info("registry.version_saved", version=row.version, action=action, by=by)
    return row


async def import_registry(
    uow: RoutingUnitOfWork,
    *,
    document: Any,
    source: str,
    by: str,
    reason: str,
    now: datetime,
) -> tuple[RegistryVersionRow, RegistrySnapshot]:
    """A whole registry replaces the current one, or nothing changes."""
    if not isinstance(document, Mapping):
        raise RegistryRefused.of([RegistryProblem("(document)", "must be a mapping", 1)])
    await uow.registry.lock_for_change()
    previous = await uow.registry.current_version()
    snapshot = await _validated(uow, document, (previous or 0) + 1)
    row = await _save(
        uow,
        snapshot=snapshot,
        document=document,
        source=source,
        by=by,
        reason=reason,
        now=now,
        action="import",
        target=source,
        detail={"previous_version": previous},
    )
    return row, snapshot


async def change_registry(
    uow: RoutingUnitOfWork,
    *,
    collection: Collection,
    action: Literal["put", "remove"],
    item: dict[str, Any],
    by: str,
    reason: str,
    now: datetime,
) -> tuple[RegistryVersionRow, RegistrySnapshot]:
    """One entry added, replaced or removed; the whole registry is validated again."""
    await uow.registry.lock_for_change()
    previous = await uow.registry.current_version()
    if previous is None:
        raise NoRegistry("no registry is loaded: import a registry file first")
    current = await uow.registry.document(previous)
    assert current is not None  # the version row was just read
    document = await asyncio.to_thread(copy.deepcopy, current)
    before, target = _apply(document, collection, action, item)
    snapshot = await _validated(uow, document, previous + 1)
    row = await _save(
        uow,
        snapshot=snapshot,
        document=document,
        source=f"api:{collection}",
        by=by,
        reason=reason,
        now=now,
        action=f"{collection}.{action}",
        target=target,
        detail={
            "previous_version": previous,
            "before": before,
            "after": item if action == "put" else None,
        },
    )
    return row, snapshot


def _apply(
    document: dict[str, Any], collection: Collection, action: str, item: dict[str, Any]
) -> tuple[Any, str]:
    entries: list[Any] = document.setdefault(collection, [])
    if collection == "conflicts":
        matches = [
            i
            for i, e in enumerate(entries)
            if all(e.get(k) == item.get(k) for k in ("staff", "with_person", "with_unit"))
        ]
        target = f"{item.get('staff')}→{item.get('with_person') or item.get('with_unit')}"
    else:
        key = _KEYS[collection]
        value = item.get(key)
        if value is None:
            raise RuleViolation(
                f"the entry needs its {key}",
                errors=[{"field": f"item.{key}", "message": "required"}],
            )
        matches = [i for i, e in enumerate(entries) if str(e.get(key)) == str(value)]
        target = str(value)
    before = entries[matches[0]] if matches else None
    if action == "remove":
        if not matches:
            raise NotFound(f"no {collection} entry {target} in the current registry")
        del entries[matches[0]]
    elif matches:
        entries[matches[0]] = item
    else:
        entries.append(item)
    return before, target
