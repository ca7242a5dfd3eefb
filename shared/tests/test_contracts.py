"""Contract tests for the event catalogue and its AsyncAPI document.

They prove what every consumer relies on: what a producer writes, a consumer reads back
unchanged; nothing outside the contract gets through; no contract can carry a
petitioner's identity; and the published AsyncAPI document is complete and current.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from huiyin_shared.contracts import asyncapi
from huiyin_shared.contracts.catalogue import (
    EventData,
    UnknownEventError,
    all_contracts,
    build_envelope,
    read_event,
)
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events import (
    CONSUMERS,
    PRODUCERS,
    AccountabilityAppealDecided,
    AccountabilityAppealed,
    AccountabilityCaseOpened,
    AccountabilityDecided,
    AccountabilityMatterDismissed,
    AccountabilityMatterOpened,
    AccountabilityServed,
    AccountabilityStep,
    AccountabilityStepOverdue,
    AppealOutcome,
    Bounce,
    CaseAcceptedByUnit,
    CaseClosed,
    CaseDeadlineSet,
    CaseEscalated,
    CaseExtended,
    CaseExtensionRefused,
    CaseExtensionRequested,
    CaseFinal,
    CaseOpened,
    CaseOverdue,
    CasePaused,
    CaseReminderSent,
    CaseResultApproved,
    CaseResultSubmitted,
    CaseResumed,
    CaseReturnedByUnit,
    CaseReturnedForRedo,
    CaseReviewOpened,
    CaseRole,
    CaseSupervisionNoticeIssued,
    Channel,
    ClockName,
    CountingMode,
    DeadlineClass,
    DecisionOutcome,
    EscalationLevel,
    FinalBasis,
    IdentityAccessed,
    MatterSource,
    NotAcceptedReason,
    PauseReason,
    PetitionAccepted,
    PetitionFacts,
    PetitionFeedbackReceived,
    PetitionKind,
    PetitionNotAccepted,
    PetitionReferredOut,
    PetitionRegistered,
    PetitionRepeatLinked,
    PetitionRerouted,
    PetitionReviewRequested,
    PetitionRouted,
    PetitionUrgentReported,
    ResultDefect,
    ReviewTier,
    RoutingManualDecisionRequired,
    RoutingMode,
    SanctionCode,
    Service,
    Severity,
    SubjectDecision,
    SubjectKind,
    SupervisionGround,
    UnitRef,
    consumed_by,
    domain_contracts,
    produced_by,
)
from huiyin_shared.contracts.events.case import ScreeningCategory, ScreeningFlagged
from huiyin_shared.settings import ServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_FILE = REPO_ROOT / "docs" / "asyncapi.yaml"

IDENTITY_FIELDS = frozenset(
    {
        "name",
        "petitioner_name",
        "id_number",
        "id_card",
        "phone",
        "mobile",
        "telephone",
        "address",
        "email",
        "gender",
        "work_unit",
        "position",
        "birth_date",
    }
)

# --- sample events: one per contract, realistic enough to exercise every nested type ----------

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 3, 9, 30, tzinfo=SHANGHAI)
PETITION = uuid.UUID("0b8f6a8e-3c1d-4a57-9a52-0f3c5f4d2e11")
ORIGINAL = uuid.UUID("5f2d0c7a-1b9e-4d3f-8a6b-2c4e6f8a0b13")
CASE = uuid.UUID("9a1c3e5f-7b2d-4f6a-8c0e-1d3f5a7c9e24")
REVIEW_CASE = uuid.UUID("3e5a7c9e-1f2d-4b6a-8e0c-5d7f9b1c3a35")
DECISION = uuid.UUID("7c9e1a3c-5e7f-4d2b-9a6c-3e5f7a9c1b46")
MATTER = uuid.UUID("1d3f5a7c-9e2b-4c6d-8f0a-7b9d1f3a5c57")
ACC_CASE = uuid.UUID("6b8d0f2a-4c6e-4a8b-9d1f-2a4c6e8b0d68")
EVIDENCE = uuid.UUID("2c4e6a8c-0e1f-4b3d-a5c7-9e1b3d5f7a79")

CIVIL_AFFAIRS = UnitRef(unit_id="370102-civil", unit_name="历下区民政局", division_code="370102")
LABOUR = UnitRef(unit_id="370102-labour", unit_name="历下区人社局", division_code="370102")
LAND = UnitRef(unit_id="370102-land", unit_name="历下区自然资源局", division_code="370102")
PETITIONER = "pr_3q9Zk1xW7bN2mC5vL8tR"

FACTS = PetitionFacts(
    registration_number="LX-2025-000123",
    office_id="370102-xfj",
    channel=Channel.LETTER,
    kind=PetitionKind.HELP_REQUEST,
    subject_category="social_security.pension",
    division_code="370102003",
    received_at=NOW - timedelta(days=1),
    accepted_at=NOW,
    anonymous=False,
    collective=False,
    urgent=False,
    accused_unit_ids=["370102-street-03"],
    accused_person_refs=["ps_8f1c2a9d0b7e4c3f"],
    summary="反映养老金发放延误三个月，请求核查并补发。",
)


def _routing_fields() -> dict[str, Any]:
    return {
        "petition_id": PETITION,
        "decision_id": DECISION,
        "mode": RoutingMode.ASSIGN,
        "lead_unit": LABOUR,
        "participating_units": [CIVIL_AFFAIRS],
        "deadline_class": DeadlineClass.GENERAL,
        "routed_at": NOW + timedelta(hours=2),
        "decided_by": None,
        "reasons": ["subject line social_security.pension → labour (002 五.3)"],
        "petition": FACTS,
    }


def samples() -> list[EventData]:
    """One instance of every domain contract."""
    later = NOW + timedelta(days=10)
    due = date(2025, 5, 2)
    sanction = SubjectDecision(
        subject_kind=SubjectKind.STAFF,
        subject_id="staff-0042",
        outcome=DecisionOutcome.SANCTIONED,
        severity=Severity.MINOR,
        sanction_codes=[SanctionCode.ADMONISHMENT_TALK, SanctionCode.WRITTEN_SELF_CRITICISM],
    )
    return [
        PetitionRegistered(
            petition_id=PETITION,
            registration_number="LX-2025-000123",
            office_id="370102-xfj",
            channel=Channel.LETTER,
            kind=PetitionKind.HELP_REQUEST,
            received_at=NOW - timedelta(days=1),
            registered_at=NOW - timedelta(days=1, hours=-3),
            registered_by="clerk-07",
            petitioner_ref=PETITIONER,
            anonymous=False,
            people_count=1,
            collective=False,
            accused_unit_ids=["370102-street-03"],
            accused_person_refs=["ps_8f1c2a9d0b7e4c3f"],
            division_code="370102003",
            subject_category="social_security.pension",
            summary="反映养老金发放延误三个月，请求核查并补发。",
            urgent=False,
        ),
        PetitionAccepted(
            petition_id=PETITION,
            accepted_by="clerk-07",
            acceptance_notice_due=date(2025, 3, 17),
            petition=FACTS,
        ),
        PetitionNotAccepted(
            petition_id=PETITION,
            reason=NotAcceptedReason.STATUTORY_REMEDY_REQUIRED,
            proper_channel="向区人民法院提起诉讼",
            decided_at=NOW,
            decided_by="clerk-07",
        ),
        PetitionRepeatLinked(
            petition_id=PETITION, original_petition_id=ORIGINAL, repeat_count=2, linked_at=NOW
        ),
        PetitionUrgentReported(
            petition_id=PETITION, reported_at=NOW, reported_to="leader-01", reported_by="clerk-07"
        ),
        IdentityAccessed(
            petition_id=PETITION,
            reader_id="handler-11",
            reader_role="handler",
            reader_unit_id="370102-labour",
            reason="reply to the real-name petitioner in writing",
            read_at=NOW,
            allowed=True,
        ),
        PetitionFeedbackReceived(
            petition_id=PETITION, case_id=CASE, satisfied=False, comment=None, received_at=later
        ),
        PetitionReviewRequested(petition_id=PETITION, tier=ReviewTier.REVIEW, requested_at=later),
        PetitionRouted(**_routing_fields()),
        PetitionRerouted(**_routing_fields(), previous_unit=LAND, bounce_count=1),
        PetitionReferredOut(
            petition_id=PETITION,
            decision_id=DECISION,
            authority="区人民检察院",
            reason="matter for a procuratorate",
            referred_at=NOW,
            decided_by="clerk-07",
        ),
        RoutingManualDecisionRequired(
            petition_id=PETITION,
            bounce_chain=[
                Bounce(unit=LAND, reason="not competent: pension", returned_at=NOW),
                Bounce(unit=CIVIL_AFFAIRS, reason="labour's subject line", returned_at=later),
            ],
            leader_id="leader-01",
            raised_at=later,
        ),
        CaseReturnedByUnit(
            case_id=CASE,
            petition_id=PETITION,
            unit=LAND,
            reason="not competent: pension",
            returned_at=NOW,
            returned_by="handler-21",
        ),
        CaseOpened(
            case_id=CASE,
            petition_id=PETITION,
            decision_id=DECISION,
            unit=LABOUR,
            role=CaseRole.LEAD,
            mode=RoutingMode.ASSIGN,
            opened_at=NOW,
        ),
        CaseDeadlineSet(
            case_id=CASE,
            clock=ClockName.RESOLVE,
            due_date=due,
            counting_mode=CountingMode.CALENDAR_DAYS,
            provisional=False,
            rule_source="002 五.3",
        ),
        CaseAcceptedByUnit(case_id=CASE, unit=LABOUR, handler_id="handler-11", accepted_at=NOW),
        CaseReminderSent(
            case_id=CASE,
            unit=LABOUR,
            clock=ClockName.RESOLVE,
            due_date=due,
            sequence=1,
            sent_at=later,
        ),
        CaseOverdue(
            case_id=CASE,
            unit=LABOUR,
            clock=ClockName.RESOLVE,
            due_date=due,
            explanation_filed=False,
            detected_at=later,
        ),
        CaseSupervisionNoticeIssued(
            notice_number="督字〔2025〕17号",
            case_id=CASE,
            unit=LABOUR,
            ground=SupervisionGround.OVERDUE_UNEXPLAINED,
            new_due_date=date(2025, 5, 16),
            issued_at=later,
            issued_by="supervisor-03",
        ),
        CaseEscalated(
            case_id=CASE,
            from_level=EscalationLevel.UNIT_HEAD,
            to_level=EscalationLevel.LEADER_OWNERSHIP,
            owner_id="leader-02",
            reason="overdue after a supervision notice",
            escalated_at=later,
        ),
        CaseExtensionRequested(
            case_id=CASE,
            clock=ClockName.RESOLVE,
            days=30,
            reason="records held by the provincial archive",
            requested_at=later,
            requested_by="handler-11",
        ),
        CaseExtended(
            case_id=CASE,
            clock=ClockName.RESOLVE,
            days=30,
            new_due_date=date(2025, 6, 1),
            reason_public="需调取省档案馆材料",
            approved_by="leader-02",
            approved_at=later,
        ),
        CaseExtensionRefused(
            case_id=CASE,
            clock=ClockName.RESOLVE,
            reason="no reason beyond workload",
            refused_by="leader-02",
            refused_at=later,
        ),
        CasePaused(case_id=CASE, reason=PauseReason.HEARING, paused_at=later),
        CaseResumed(case_id=CASE, resumed_at=later + timedelta(days=3)),
        CaseResultSubmitted(
            case_id=CASE,
            petition_id=PETITION,
            result_summary="经核查，养老金已于4月补发到位。",
            submitted_by="handler-11",
            submitted_at=later,
        ),
        CaseResultApproved(case_id=CASE, reviewer_id="reviewer-05", approved_at=later),
        CaseReturnedForRedo(
            case_id=CASE,
            defects=[ResultDefect.QUESTIONS_UNANSWERED, ResultDefect.EVIDENCE_INSUFFICIENT],
            comment="answer the arrears question",
            reviewer_id="reviewer-05",
            returned_at=later,
        ),
        CaseClosed(
            case_id=CASE,
            petition_id=PETITION,
            closed_at=later,
            result_summary_public="养老金已补发。",
        ),
        CaseReviewOpened(
            case_id=REVIEW_CASE,
            original_case_id=CASE,
            petition_id=PETITION,
            tier=ReviewTier.REVIEW,
            unit=CIVIL_AFFAIRS,
            opened_at=later,
        ),
        CaseFinal(
            case_id=REVIEW_CASE,
            petition_id=PETITION,
            basis=FinalBasis.RE_REVIEW_CONCLUDED,
            final_at=later,
        ),
        ScreeningFlagged(
            flag_id=uuid.UUID(int=77),
            category=ScreeningCategory.REPEAT_PETITIONER,
            office_id="370102-xfj",
            summary="3 petitions from one petitioner within 30 days",
            petitioner_ref="pr_0123456789abcdef",
            petition_ids=[PETITION],
            owner_id="leader-01",
            due_date=due,
            flagged_at=later,
        ),
        AccountabilityMatterOpened(
            matter_id=MATTER,
            source=MatterSource.SYSTEM_TRIGGER,
            rule_id="overdue_without_explanation",
            rule_source="004 一.5",
            subject_unit_ids=["370102-labour"],
            subject_staff_ids=["handler-11"],
            petition_id=PETITION,
            case_id=CASE,
            evidence_event_ids=[EVIDENCE],
            opened_at=later,
        ),
        AccountabilityMatterDismissed(
            matter_id=MATTER,
            reason="delay caused by the archive",
            dismissed_by="officer-09",
            dismissed_at=later,
        ),
        AccountabilityCaseOpened(
            accountability_case_id=ACC_CASE,
            matter_id=MATTER,
            opened_at=later,
            investigation_due=date(2025, 3, 27),
        ),
        AccountabilityDecided(
            accountability_case_id=ACC_CASE,
            decisions=[
                sanction,
                SubjectDecision(
                    subject_kind=SubjectKind.UNIT,
                    subject_id="370102-labour",
                    outcome=DecisionOutcome.NOT_RESPONSIBLE,
                ),
            ],
            decided_at=later,
            service_due=date(2025, 4, 10),
        ),
        AccountabilityServed(
            accountability_case_id=ACC_CASE, served_at=later, appeal_due=date(2025, 4, 30)
        ),
        AccountabilityAppealed(
            accountability_case_id=ACC_CASE,
            subject_kind=SubjectKind.STAFF,
            subject_id="staff-0042",
            appealed_at=later,
            decision_due=date(2025, 6, 12),
        ),
        AccountabilityAppealDecided(
            accountability_case_id=ACC_CASE,
            subject_kind=SubjectKind.STAFF,
            subject_id="staff-0042",
            outcome=AppealOutcome.AMENDED,
            amended_decision=sanction.model_copy(
                update={"sanction_codes": [SanctionCode.WRITTEN_SELF_CRITICISM]}
            ),
            decided_at=later,
        ),
        AccountabilityStepOverdue(
            accountability_case_id=ACC_CASE,
            step=AccountabilityStep.INVESTIGATION,
            due_date=date(2025, 3, 27),
            detected_at=later,
        ),
    ]


SAMPLES = samples()
BY_TYPE = {s.event_type: s for s in SAMPLES}


def _envelope(data: EventData) -> Envelope:
    return build_envelope(
        data,
        producer=PRODUCERS[data.event_type][0].value,
        subject=f"petition:{PETITION}",
        occurred_at=NOW,
        correlation_id="req-1",
    )


def _sample_id(data: EventData) -> str:
    return data.event_type


# --- the catalogue ----------------------------------------------------------------------------


def test_every_contract_has_a_sample() -> None:
    assert {type(s) for s in SAMPLES} == set(domain_contracts().values())
    assert len(SAMPLES) == len(BY_TYPE) == len(domain_contracts())


def test_the_catalogue_registers_through_all_contracts() -> None:
    assert domain_contracts().items() <= all_contracts().items()
    assert len(domain_contracts()) == 40


@pytest.mark.parametrize("data", SAMPLES, ids=_sample_id)
def test_round_trip_through_the_wire(data: EventData) -> None:
    wire = _envelope(data).model_dump_json()
    received = Envelope.model_validate_json(wire)
    assert received.type == data.event_type
    assert received.version == data.event_version
    read = read_event(received)
    assert type(read) is type(data)
    assert read == data


@pytest.mark.parametrize("data", SAMPLES, ids=_sample_id)
def test_extra_fields_are_rejected(data: EventData) -> None:
    envelope = _envelope(data)
    tampered = envelope.model_copy(update={"data": {**envelope.data, "unexpected": 1}})
    with pytest.raises(ValidationError, match="extra"):
        read_event(tampered)


def test_extra_fields_in_nested_values_are_rejected() -> None:
    envelope = _envelope(BY_TYPE["petition.routed"])
    data = json.loads(json.dumps(envelope.data))
    data["lead_unit"]["leader"] = "someone"
    with pytest.raises(ValidationError, match="extra"):
        read_event(envelope.model_copy(update={"data": data}))


def test_extra_envelope_fields_are_rejected() -> None:
    wire = json.loads(_envelope(BY_TYPE["petition.registered"]).model_dump_json())
    wire["petitioner_name"] = "张三"
    with pytest.raises(ValidationError, match="extra"):
        Envelope.model_validate(wire)


@pytest.mark.parametrize(
    ("type_", "version"), [("petition.vanished", 1), ("petition.accepted", 99)]
)
def test_unknown_type_or_version_is_refused(type_: str, version: int) -> None:
    envelope = _envelope(BY_TYPE["petition.accepted"]).model_copy(
        update={"type": type_, "version": version}
    )
    with pytest.raises(UnknownEventError):
        read_event(envelope)


# --- no identity on the wire ------------------------------------------------------------------


def _property_names(node: Any) -> Iterator[tuple[str, str]]:
    """Every (schema path, property name) in a JSON schema, however deeply nested."""

    def walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            properties = value.get("properties")
            if isinstance(properties, dict):
                for name in properties:
                    yield path, name
            for key, child in value.items():
                yield from walk(child, f"{path}/{key}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                yield from walk(child, f"{path}/{index}")

    yield from walk(node, "#")


def _identity_fields(models: list[type[BaseModel]]) -> list[str]:
    _, top = models_json_schema([(m, "validation") for m in models])
    return sorted(
        f"{path}.{name}" for path, name in _property_names(top) if name in IDENTITY_FIELDS
    )


def test_no_contract_carries_an_identity_field() -> None:
    assert _identity_fields(list(domain_contracts().values())) == []


def test_the_identity_check_sees_nested_models() -> None:
    class Person(BaseModel):
        phone: str

    class Leaky(BaseModel):
        people: list[Person]

    assert _identity_fields([Leaky]) == ["#/$defs/Person.phone"]


def test_a_petitioner_reference_cannot_be_a_name() -> None:
    fields = _envelope(BY_TYPE["petition.registered"]).data | {"petitioner_ref": "张三"}
    with pytest.raises(ValidationError, match="petitioner_ref"):
        PetitionRegistered.model_validate(fields)


# --- invariants the contracts enforce ---------------------------------------------------------


def test_a_real_name_petition_needs_a_reference() -> None:
    fields = _envelope(BY_TYPE["petition.registered"]).data | {"petitioner_ref": None}
    with pytest.raises(ValidationError, match="petitioner_ref"):
        PetitionRegistered.model_validate(fields)
    PetitionRegistered.model_validate(fields | {"anonymous": True})


def test_never_routed_to_an_accused_unit() -> None:
    accused = UnitRef(unit_id="370102-street-03", unit_name="街道办", division_code="370102003")
    with pytest.raises(ValidationError, match="accused"):
        PetitionRouted(**(_routing_fields() | {"lead_unit": accused}))


def test_only_transfer_owes_no_result_report() -> None:
    with pytest.raises(ValidationError, match="transfer"):
        PetitionRouted(**(_routing_fields() | {"mode": RoutingMode.TRANSFER}))
    with pytest.raises(ValidationError, match="refer"):
        PetitionRouted(**(_routing_fields() | {"mode": RoutingMode.REFER_OUT}))


def test_escalation_only_goes_up() -> None:
    with pytest.raises(ValidationError, match="up the ladder"):
        CaseEscalated(
            case_id=CASE,
            from_level=EscalationLevel.LEADER_IN_CHARGE,
            to_level=EscalationLevel.HANDLER,
            reason="x",
            escalated_at=NOW,
        )


def test_a_sanction_names_severity_and_sanctions() -> None:
    with pytest.raises(ValidationError, match="severity"):
        SubjectDecision(
            subject_kind=SubjectKind.STAFF,
            subject_id="staff-1",
            outcome=DecisionOutcome.SANCTIONED,
        )
    with pytest.raises(ValidationError, match="only a sanction"):
        SubjectDecision(
            subject_kind=SubjectKind.STAFF,
            subject_id="staff-1",
            outcome=DecisionOutcome.EXEMPTED,
            severity=Severity.MINOR,
        )


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        CaseResumed(case_id=CASE, resumed_at=datetime(2025, 3, 3, 9, 30))


# --- producers and consumers ------------------------------------------------------------------


def test_every_type_has_a_producer_and_known_services() -> None:
    types = {key.type for key in domain_contracts()}
    assert set(PRODUCERS) == types
    assert set(CONSUMERS) == types
    assert all(PRODUCERS[t] for t in types)
    for services in (*PRODUCERS.values(), *CONSUMERS.values()):
        assert all(isinstance(s, Service) for s in services)


def test_the_architecture_table_flows() -> None:
    assert {"petition.accepted", "case.returned_by_unit"} <= set(consumed_by(Service.ROUTING))
    assert {"petition.routed", "petition.feedback_received", "petition.review_requested"} <= set(
        consumed_by(Service.SUPERVISION)
    )
    assert "case.returned_by_unit" in produced_by(Service.SUPERVISION)
    others = {k.type for k in domain_contracts() if not k.type.startswith("accountability.")}
    assert set(consumed_by(Service.ACCOUNTABILITY)) == others


# --- the AsyncAPI document --------------------------------------------------------------------


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi.build_document()


def _resolve(document: dict[str, Any], ref: str) -> Any:
    """Follow a local JSON pointer (RFC 6901) through the document."""
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for token in ref[2:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref}: {key} under a non-object"
        assert key in node, f"{ref} does not resolve at {key!r}"
        node = node[key]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                assert isinstance(value, str)
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_document_is_asyncapi_3(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert {"info", "channels", "operations", "components"} <= document.keys()
    assert document["info"]["title"]
    assert document["info"]["version"]


def test_a_channel_per_contract_on_the_topic_exchange(document: dict[str, Any]) -> None:
    contracts = domain_contracts()
    assert set(document["channels"]) == {key.type for key in contracts}
    assert ServiceSettings.model_fields["events_exchange"].default == asyncapi.EVENTS_EXCHANGE
    for key in contracts:
        channel = document["channels"][key.type]
        assert channel["address"] == key.type
        amqp = channel["bindings"]["amqp"]
        assert amqp["is"] == "routingKey"
        assert amqp["exchange"] | {"vhost": "/"} == {
            "name": "huiyin.events",
            "type": "topic",
            "durable": True,
            "autoDelete": False,
            "vhost": "/",
        }
        assert f"{key.type}.v{key.version}" in channel["messages"]


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    refs = set(_refs(document))
    assert refs, "a document without references is suspicious"
    assert not any("$defs" in ref for ref in refs)
    for ref in refs:
        _resolve(document, ref)


def test_operations_match_producers_and_consumers(document: dict[str, Any]) -> None:
    expected = {
        (action, service.value, t)
        for t in PRODUCERS
        for action, services in (("send", PRODUCERS[t]), ("receive", CONSUMERS[t]))
        for service in services
    }
    actual = set()
    for operation in document["operations"].values():
        event_type = operation["channel"]["$ref"].removeprefix("#/channels/")
        actual.add((operation["action"], operation["tags"][0]["name"], event_type))
        # AsyncAPI 3: an operation's messages must be messages of its channel.
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"#/channels/{event_type}/messages/")
    assert actual == expected


@pytest.mark.parametrize("data", SAMPLES, ids=_sample_id)
def test_message_payload_schema_accepts_what_producers_write(
    document: dict[str, Any], data: EventData
) -> None:
    message = document["components"]["messages"][f"{data.event_type}.v{data.event_version}"]
    schema = {**message["payload"], "components": document["components"]}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    wire = json.loads(_envelope(data).model_dump_json())
    validator.validate(wire)
    assert not validator.is_valid(wire | {"type": "petition.other"})
    assert not validator.is_valid(wire | {"data": wire["data"] | {"unexpected": 1}})


def test_yaml_and_json_renderings_agree(document: dict[str, Any]) -> None:
    assert yaml.safe_load(asyncapi.render(document, "yaml")) == document
    assert json.loads(asyncapi.render(document, "json")) == document


def test_committed_document_is_current(document: dict[str, Any]) -> None:
    assert ASYNCAPI_FILE.exists(), "run: uv run huiyin-asyncapi --output docs/asyncapi.yaml"
    assert ASYNCAPI_FILE.read_text(encoding="utf-8") == asyncapi.render(document), (
        "docs/asyncapi.yaml is out of date: run uv run huiyin-asyncapi --output docs/asyncapi.yaml"
    )


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert asyncapi.main(["--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["asyncapi"] == "3.0.0"
    target = tmp_path / "out" / "asyncapi.yaml"
    assert asyncapi.main(["--output", str(target)]) == 0
    assert asyncapi.main(["--check", str(target)]) == 0
    target.write_text("stale\n", encoding="utf-8")
    assert asyncapi.main(["--check", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err
