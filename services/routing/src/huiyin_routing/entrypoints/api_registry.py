"""The jurisdiction registry over HTTP: import a file, change one entry, read it, and the
record of every change (who, when, what, why).

No ``from __future__ import annotations`` here: FastAPI must evaluate the local aliases.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from huiyin_routing.domain.registry import Organisation, RegistrySnapshot
from huiyin_routing.domain.registry_file import parse_registry, registry_yaml
from huiyin_routing.domain.registry_problems import InvalidRegistryError
from huiyin_routing.entrypoints.dependencies import now, unit_of_work_dependency
from huiyin_routing.repository import RegistryChange, RegistryVersionRow
from huiyin_routing.service import registry, routing
from huiyin_routing.service.outcomes import RoutingRules
from huiyin_routing.service.registry import NoRegistry, RegistryCache, RegistryRefused
from huiyin_routing.unit_of_work import RoutingUnitOfWork
from huiyin_shared.errors import NotFound
from huiyin_shared.http.auth import Staff, StaffRole, current_staff, require_roles


class RegistryVersionOut(BaseModel):
    version: int
    format: str
    checksum: str
    source: str
    created_at: datetime
    created_by: str
    reason: str
    counts: dict[str, int]

    @classmethod
    def of(cls, row: RegistryVersionRow) -> "RegistryVersionOut":
        return cls.model_validate(row, from_attributes=True)


class ImportOut(RegistryVersionOut):
    routed_waiting: int = Field(description="Petitions that waited for a registry, decided now.")


class ChangeIn(BaseModel):
    collection: Literal["divisions", "organisations", "people", "conflicts"]
    action: Literal["put", "remove"]
    item: dict[str, Any] = Field(
        description="The entry in the file format; for remove, its key (code or id) suffices."
    )
    reason: str = Field(min_length=1, max_length=500)


class ChangeOut(BaseModel):
    version: int
    changed_at: datetime
    changed_by: str
    action: str
    target: str
    reason: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, change: RegistryChange) -> "ChangeOut":
        return cls.model_validate(change, from_attributes=True)


class UnitOut(BaseModel):
    unit_id: str
    name: str
    division_code: str
    type: str
    head: str | None
    superior_unit_id: str | None
    handlers: list[str]
    competences: list[dict[str, Any]]

    @classmethod
    def of(cls, unit: Organisation, snapshot: RegistrySnapshot) -> "UnitOut":
        superior = snapshot.superior_of(unit)
        return cls(
            unit_id=unit.unit_id,
            name=unit.name,
            division_code=unit.division,
            type=unit.type.value,
            head=unit.head,
            superior_unit_id=None if superior is None else superior.unit_id,
            handlers=list(unit.handlers),
            competences=[
                {
                    "subjects": list(c.subjects),
                    "kinds": sorted(k.value for k in c.kinds),
                    "role": c.role.value,
                    "priority": c.priority,
                }
                for c in unit.competences
            ],
        )


class DivisionOut(BaseModel):
    code: str
    name: str
    level: str
    parent: str | None
    top_leader: str | None
    leaders_in_charge: dict[str, str]
    units: list[UnitOut]


def build_router(
    uow_factory: Callable[[], RoutingUnitOfWork],
    cache: RegistryCache,
    rules: RoutingRules,
) -> APIRouter:
    router = APIRouter(prefix="/v1/registry", tags=["registry"])
    UoW = Annotated[RoutingUnitOfWork, Depends(unit_of_work_dependency(uow_factory))]  # noqa: N806
    AnyStaff = Annotated[Staff, Depends(current_staff)]  # noqa: N806
    Admin = Annotated[Staff, Depends(require_roles(StaffRole.REGISTRY_ADMIN))]  # noqa: N806
    Now = Annotated[datetime, Depends(now)]  # noqa: N806

    @router.get("", response_model=RegistryVersionOut)
    async def current(uow: UoW, _staff: AnyStaff) -> RegistryVersionOut:
        """The registry version decisions are taken against now."""
        version = await uow.registry.current_version()
        row = None if version is None else await uow.registry.get(version)
        if row is None:
            raise NoRegistry("no registry is loaded: import a registry file first")
        return RegistryVersionOut.of(row)

    @router.post(
        "/imports",
        response_model=ImportOut,
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/yaml": {"schema": {"type": "string"}}},
            }
        },
    )
    async def import_file(
        request: Request,
        *,
        uow: UoW,
        staff: Admin,
        at: Now,
        reason: Annotated[str, Query(min_length=1, max_length=500)],
        source: Annotated[str, Query(min_length=1, max_length=200)] = "upload",
    ) -> ImportOut:
        """Replace the registry with a whole file (format huiyin-registry/1, YAML). A file
        with any defect is refused with every problem and its line; nothing changes."""
        # The kit's body limit (max_body_bytes) bounds the upload; the CLI has none.
        body = await request.body()
        try:
            # Parsing a large file takes a while: off the event loop.
            document = await asyncio.to_thread(parse_registry, body.decode("utf-8"))
        except UnicodeDecodeError:
            raise RegistryRefused("the file is not UTF-8 text") from None
        except InvalidRegistryError as exc:
            raise RegistryRefused.of(exc.problems) from None
        row, snapshot = await registry.import_registry(
            uow, document=document, source=source, by=staff.staff_id, reason=reason, now=at
        )
        routed = await routing.route_waiting(uow, snapshot, rules, now=at)
        await uow.commit()
        return ImportOut(**RegistryVersionOut.of(row).model_dump(), routed_waiting=routed)

    @router.post("/changes", response_model=RegistryVersionOut, status_code=201)
    async def change(
        body: Annotated[ChangeIn, Body()], uow: UoW, staff: Admin, at: Now
    ) -> RegistryVersionOut:
        """Add, replace or remove one entry. The whole registry is validated again and a new
        version recorded with who, when, what (before and after) and why."""
        row, snapshot = await registry.change_registry(
            uow,
            collection=body.collection,
            action=body.action,
            item=body.item,
            by=staff.staff_id,
            reason=body.reason,
            now=at,
        )
        await routing.route_waiting(uow, snapshot, rules, now=at)
        await uow.commit()
        return RegistryVersionOut.of(row)

    _add_reads(router, uow_factory, cache)
    return router


def _add_reads(
    router: APIRouter, uow_factory: Callable[[], RoutingUnitOfWork], cache: RegistryCache
) -> None:
    """The read-only routes: the document, the change record, units and divisions."""
    UoW = Annotated[RoutingUnitOfWork, Depends(unit_of_work_dependency(uow_factory))]  # noqa: N806
    AnyStaff = Annotated[Staff, Depends(current_staff)]  # noqa: N806
    Admin = Annotated[Staff, Depends(require_roles(StaffRole.REGISTRY_ADMIN))]  # noqa: N806

    async def snapshot_of(uow: RoutingUnitOfWork) -> RegistrySnapshot:
        snapshot = await cache.current(uow)
        if snapshot is None:
            raise NoRegistry("no registry is loaded: import a registry file first")
        return snapshot

    @router.get(
        "/document",
        response_class=Response,
        responses={200: {"content": {"application/yaml": {"schema": {"type": "string"}}}}},
    )
    async def document(uow: UoW, _staff: Admin) -> Response:
        """The current version as a registry file, to edit and import again (edits made
        through the API included). It holds declared conflicts: registry admins only."""
        version = await uow.registry.current_version()
        content = None if version is None else await uow.registry.document(version)
        if version is None or content is None:
            raise NoRegistry("no registry is loaded: import a registry file first")
        text = await asyncio.to_thread(registry_yaml, content, version)
        return Response(content=text, media_type="application/yaml; charset=utf-8")

    @router.get("/changes", response_model=list[ChangeOut])
    async def changes(
        uow: UoW,
        _staff: AnyStaff,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[ChangeOut]:
        """The record of registry changes, newest first."""
        return [ChangeOut.of(c) for c in await uow.registry.changes(limit=limit, offset=offset)]

    @router.get("/units/{unit_id}", response_model=UnitOut)
    async def unit(unit_id: str, uow: UoW, _staff: AnyStaff) -> UnitOut:
        snapshot = await snapshot_of(uow)
        found = snapshot.organisations.get(unit_id)
        if found is None:
            raise NotFound(f"no unit {unit_id} in registry version {snapshot.version}")
        return UnitOut.of(found, snapshot)

    @router.get("/divisions/{code}", response_model=DivisionOut)
    async def division(code: str, uow: UoW, _staff: AnyStaff) -> DivisionOut:
        snapshot = await snapshot_of(uow)
        found = snapshot.divisions.get(code)
        if found is None:
            raise NotFound(f"no division {code} in registry version {snapshot.version}")
        return DivisionOut(
            code=found.code,
            name=found.name,
            level=found.level.value,
            parent=found.parent,
            top_leader=found.top_leader,
            leaders_in_charge=dict(found.leaders_in_charge),
            units=[UnitOut.of(u, snapshot) for u in snapshot.units_by_division.get(code, ())],
        )
