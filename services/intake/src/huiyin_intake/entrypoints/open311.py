"""An Open311 GeoReport v2 compatible surface, so 311-style portals and apps can submit and
track petitions without custom work.

- ``service_code`` is the petition kind; ``GET services`` lists them.
- ``POST requests`` takes the standard form fields (``api_key``, ``service_code``,
  ``description``, ``address_string``, ``lat``/``long``, ``first_name``/``last_name``,
  ``phone``, ``email``) plus the attributes intake needs (``attribute[division_code]``,
  ``attribute[subject_category]``, optional ``attribute[id_number]``). No name means an
  anonymous petition. The answer's ``service_request_id`` is the registration number;
  ``service_notice`` (and the extension field ``query_code``) carry the query code, once.
- Petitions are confidential, so ``GET requests`` answers only with the portal's
  ``api_key`` *and* the petition's ``query_code`` (an extension parameter), and never shows
  the description or address; a wrong code is answered like an unknown id.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field, ValidationError

from huiyin_intake import metrics
from huiyin_intake.domain.portal import PortalScope
from huiyin_intake.domain.tracking import Milestone, MilestoneKind, PublicStatus
from huiyin_intake.entrypoints.api import unit_of_work_dependency
from huiyin_intake.entrypoints.open311_format import Format, errors, render
from huiyin_intake.entrypoints.portal import PortalSubmissionIn
from huiyin_intake.service import IntakeContext, tracking
from huiyin_intake.service import portal as portal_service
from huiyin_intake.service.submissions import PortalSubmissions
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.contracts.events.common import PetitionKind
from huiyin_shared.errors import DomainError

SERVICES: dict[PetitionKind, tuple[str, str]] = {
    PetitionKind.REPORT: ("检举", "检举违纪违法行为"),
    PetitionKind.ACCUSATION: ("控告", "控告侵害自身权益的行为"),
    PetitionKind.APPEAL: ("申诉", "对处理决定不服提出申诉"),
    PetitionKind.SUGGESTION: ("意见建议", "对工作提出意见和建议"),
    PetitionKind.HELP_REQUEST: ("求助", "请求帮助解决实际困难"),
    PetitionKind.INQUIRY: ("咨询", "咨询政策和办事程序"),
}
ATTRIBUTES: list[dict[str, Any]] = [
    {
        "variable": True,
        "code": "division_code",
        "datatype": "string",
        "required": True,
        "datatype_description": "行政区划代码（6、9或12位数字）",
        "order": 1,
        "description": "事项发生地的行政区划代码",
    },
    {
        "variable": True,
        "code": "subject_category",
        "datatype": "string",
        "required": True,
        "datatype_description": "归口分类代码，如 labour.wages",
        "order": 2,
        "description": "事项的归口分类",
    },
    {
        "variable": True,
        "code": "id_number",
        "datatype": "string",
        "required": False,
        "datatype_description": "18位居民身份证号码",
        "order": 3,
        "description": "署名信访人的身份证号码（保密）",
    },
]
_CLOSED = frozenset(
    {
        PublicStatus.CLOSED,
        PublicStatus.FINAL,
        PublicStatus.NOT_ACCEPTED,
        PublicStatus.REFERRED_OUT,
        PublicStatus.LINKED_TO_ORIGINAL,
    }
)
FormatPath = Annotated[Format, Path(description="json or xml")]


class LookupQuery(BaseModel):
    """GeoReport's lookup parameters plus the petition's query code (an extension)."""

    service_request_id: str | None = Field(default=None, max_length=64)
    api_key: str | None = Field(default=None, max_length=200)
    query_code: str | None = Field(default=None, max_length=20)


def _submission(form: dict[str, str], now_iso: str) -> dict[str, Any]:
    """Open311 form fields → intake's submission body (validated by the same model)."""
    name = (form.get("last_name", "") + form.get("first_name", "")).strip()
    identity: dict[str, Any] | None = None
    if name:
        identity = {
            "name": name,
            "phone": form.get("phone") or None,
            "email": form.get("email") or None,
            "id_number": form.get("attribute[id_number]") or None,
        }
    return {
        "channel": "online",
        "kind": form.get("service_code"),
        "received_at": now_iso,
        "anonymous": identity is None,
        "identity": identity,
        "division_code": form.get("attribute[division_code]"),
        "subject_category": form.get("attribute[subject_category]"),
        "summary": form.get("description"),
        "address_text": form.get("address_string") or None,
    }


def _open311_field(loc: tuple[Any, ...]) -> str:
    names = {
        "kind": "service_code",
        "summary": "description",
        "address_text": "address_string",
        "division_code": "attribute[division_code]",
        "subject_category": "attribute[subject_category]",
        "identity.id_number": "attribute[id_number]",
        "identity.phone": "phone",
        "identity.email": "email",
        "identity.name": "first_name/last_name",
        "identity": "phone or attribute[id_number]",
    }
    path = ".".join(str(part) for part in loc if part != "body")
    return names.get(path, path)


def _status_notes(timeline: list[Milestone]) -> str | None:
    if not timeline:
        return None
    last = timeline[-1]
    details = last.details
    text = {
        MilestoneKind.NOT_ACCEPTED: details.get("proper_channel"),
        MilestoneKind.REFERRED_OUT: details.get("proper_channel"),
        MilestoneKind.TRANSFERRED: details.get("unit_name"),
        MilestoneKind.EXTENDED: details.get("reason"),
        MilestoneKind.CLOSED: details.get("result_summary"),
    }.get(last.kind)
    return f"{last.kind.value}: {text}" if text else last.kind.value


def build_open311_router(
    uow_factory: Callable[[], IntakeUnitOfWork],
    reading_uow_factory: Callable[[], IntakeUnitOfWork],
    context: IntakeContext,
    submissions: PortalSubmissions,
) -> APIRouter:
    router = APIRouter(prefix="/open311/v2", tags=["open311"])
    UoW = Annotated[IntakeUnitOfWork, Depends(unit_of_work_dependency(uow_factory))]  # noqa: N806
    # A submission only reads in its request (its writes go in its office's group).
    ReadingUoW = Annotated[  # noqa: N806
        IntakeUnitOfWork, Depends(unit_of_work_dependency(reading_uow_factory))
    ]

    @router.get("/services.{fmt}")
    async def services(fmt: FormatPath) -> Response:
        """The petition kinds as GeoReport services."""
        return render(
            fmt,
            "services",
            [
                {
                    "service_code": kind.value,
                    "service_name": name,
                    "description": description,
                    "metadata": True,
                    "type": "batch",
                    "keywords": "信访," + name,
                    "group": "信访",
                }
                for kind, (name, description) in SERVICES.items()
            ],
        )

    @router.get("/services/{service_code}.{fmt}")
    async def definition(service_code: str, fmt: FormatPath) -> Response:
        """The attributes every petition kind needs beyond GeoReport's standard fields."""
        if service_code not in {k.value for k in SERVICES}:
            return errors(fmt, 404, [f"unknown service_code {service_code!r}"])
        return render(
            fmt,
            "service_definition",
            {"service_code": service_code, "attributes": ATTRIBUTES},
        )

    @router.post("/requests.{fmt}")
    async def create(fmt: FormatPath, request: Request, uow: ReadingUoW) -> Response:
        """Submit a petition (form-encoded, as GeoReport clients send it)."""
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            key = await portal_service.authenticate(
                uow, context, presented=form.get("api_key"), scope=PortalScope.SUBMIT
            )
            body = PortalSubmissionIn.model_validate(
                _submission(form, context.clock.now().isoformat())
            )
            body.check()
            submitted = await submissions.submit(uow, body.submission(key))
        except ValidationError as exc:
            return errors(
                fmt, 400, [f"{_open311_field(e['loc'])}: {e['msg']}" for e in exc.errors()]
            )
        except DomainError as exc:
            described = [
                f"{_open311_field(tuple(str(e['field']).split('.')))}: {e['message']}"
                for e in exc.errors
            ]
            return errors(fmt, exc.status, described or [exc.detail])
        registered = submitted.registered
        if registered is None:  # only an Idempotency-Key replays, and GeoReport has none
            raise RuntimeError("an Open311 submission was answered without registering")
        metrics.count_registration(registered)
        code = registered.query_code
        return render(
            fmt,
            "service_requests",
            [
                {
                    "service_request_id": registered.petition.registration_number,
                    "service_notice": f"请妥善保存查询码 {code}（仅显示一次），凭登记编号和查询码查询办理进度。",
                    "account_id": None,
                    "query_code": code,
                }
            ],
            status=201,
        )

    async def one(
        fmt: Format, request: Request, uow: IntakeUnitOfWork, *, number: str, params: LookupQuery
    ) -> Response:
        api_key, code = params.api_key, params.query_code
        try:
            key = await portal_service.authenticate(
                uow, context, presented=api_key, scope=PortalScope.TRACK
            )
            client = f"{key.portal_id}:{request.client.host if request.client else 'unknown'}"
            petition = await tracking.find_by_code(
                uow, context, registration_number=number, query_code=code or "", client=client
            )
            await uow.commit()
        except DomainError as exc:
            return errors(fmt, exc.status, [exc.detail])
        if petition is None:
            metrics.TRACKING_LOOKUPS.labels("not_found").inc()
            return errors(fmt, 404, ["no request with this service_request_id and query_code"])
        metrics.TRACKING_LOOKUPS.labels("found").inc()
        view = await tracking.view(uow, petition)
        transferred = [m for m in view.timeline if m.kind is MilestoneKind.TRANSFERRED]
        name, _ = SERVICES[petition.details.kind]
        return render(
            fmt,
            "service_requests",
            [
                {
                    "service_request_id": petition.registration_number,
                    "status": "closed" if view.status in _CLOSED else "open",
                    "status_notes": _status_notes(view.timeline),
                    "service_name": name,
                    "service_code": petition.details.kind.value,
                    "agency_responsible": transferred[-1].details.get("unit_name")
                    if transferred
                    else None,
                    "requested_datetime": petition.details.received_at.isoformat(),
                    "updated_datetime": (
                        view.timeline[-1].occurred_at if view.timeline else petition.registered_at
                    ).isoformat(),
                }
            ],
        )

    @router.get("/requests/{service_request_id}.{fmt}")
    async def get_request(
        service_request_id: Annotated[str, Path(min_length=1, max_length=64)],
        fmt: FormatPath,
        request: Request,
        uow: UoW,
        params: Annotated[LookupQuery, Query()],
    ) -> Response:
        """One petition's status, with the portal's key and the petition's query code."""
        return await one(fmt, request, uow, number=service_request_id, params=params)

    @router.get("/requests.{fmt}")
    async def get_requests(
        fmt: FormatPath, request: Request, uow: UoW, params: Annotated[LookupQuery, Query()]
    ) -> Response:
        """Petitions are never listed: exactly one ``service_request_id`` with its code."""
        number = params.service_request_id
        if not number or "," in number:
            return errors(
                fmt, 400, ["give exactly one service_request_id together with its query_code"]
            )
        return await one(fmt, request, uow, number=number, params=params)

    return router
