"""Registration: number the petition, seal the identity, recognise repeats, report urgency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog

from huiyin_intake import integration_events
from huiyin_intake.crypto import Keyed
from huiyin_intake.domain.decisions import DecisionOutcome, NotAccept, make_decision
from huiyin_intake.domain.identity import Identity, normalise_id_number, normalise_phone
from huiyin_intake.domain.numbering import format_registration_number, registration_year
from huiyin_intake.domain.petitions import Petition, Registration
from huiyin_intake.domain.portal import new_query_code
from huiyin_intake.domain.redaction import redact
from huiyin_intake.domain.repeats import Matter, RepeatOutcome, compare, outcome_for
from huiyin_intake.domain.tracking import Milestone, MilestoneKind
from huiyin_intake.repository.identities import StoredIdentity
from huiyin_intake.service.context import SYSTEM_ACTOR, IntakeContext
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.contracts.events.case import FinalBasis
from huiyin_shared.contracts.events.common import NotAcceptedReason

log = structlog.get_logger(__name__)

PROPER_CHANNEL_AFTER_RE_REVIEW = (
    "该事项已经复核终结，不再受理；对处理结果仍有异议的，可依法通过诉讼等途径解决。"
)


@dataclass(frozen=True)
class Registered:
    petition: Petition
    query_code: str
    """Shown once to the petitioner; only its keyed hash is stored."""
    original: Petition | None = None


@dataclass(frozen=True)
class BlindIndexes:
    id_number: str | None
    phone: str | None

    @classmethod
    def of(cls, identity: Identity | None, keyed: Keyed) -> BlindIndexes:
        if identity is None:
            return cls(None, None)
        return cls(
            id_number=None
            if identity.id_number is None
            else keyed.id_number_index(normalise_id_number(identity.id_number)),
            phone=None
            if identity.phone is None
            else keyed.phone_index(normalise_phone(identity.phone)),
        )

    def petitioner_ref(self, keyed: Keyed) -> str | None:
        index = self.id_number or self.phone
        return None if index is None else keyed.petitioner_ref(index)


@dataclass(frozen=True)
class Prepared:
    """A registration with everything read that it needs before it takes a number."""

    registration: Registration
    identity: Identity | None
    indexes: BlindIndexes
    petitioner_ref: str | None
    same_matter: Petition | None
    """The oldest earlier petition of the same petitioner on the same matter, if any."""


async def prepare(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    registration: Registration,
    *,
    identity: Identity | None,
) -> Prepared:
    """Check a registration and read the petitioner's earlier petitions (reads only)."""
    if registration.anonymous != (identity is None):
        raise ValueError("exactly a real-name petition carries an identity")
    indexes = BlindIndexes.of(identity, context.keyed)
    earlier = await uow.petitions.by_same_petitioner(
        id_number_index=indexes.id_number, phone_index=indexes.phone
    )
    # One reference per person, even when this time they gave only the phone.
    ref = next((p.petitioner_ref for p in earlier if p.petitioner_ref), None)
    ref = ref or indexes.petitioner_ref(context.keyed)
    if identity is not None and ref is None:
        raise ValueError("a real-name identity needs an ID number or a phone")
    return Prepared(
        registration=registration,
        identity=identity,
        indexes=indexes,
        petitioner_ref=ref,
        same_matter=_same_matter(context, registration, earlier),
    )


async def record(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    prepared: Prepared,
    *,
    sequence: int,
    now: datetime,
) -> Registered:
    """Write a petition numbered ``sequence`` of its office's year of ``now``, its sealed
    identity and ``petition.registered``: pending writes, so that many of them go out in
    one statement."""
    registration, identity = prepared.registration, prepared.identity
    petition = Petition.register(
        registration,
        petition_id=uuid.uuid4(),
        registration_number=format_registration_number(
            registration.office_id, registration_year(now, context.zone), sequence
        ),
        registered_at=now,
        petitioner_ref=prepared.petitioner_ref,
        published_summary=redact(registration.summary, () if identity is None else identity.names),
    )
    query_code = new_query_code()
    code_hash = context.keyed.query_code_hash(petition.registration_number, query_code)
    uow.petitions.add(petition, query_code_hash=code_hash)
    if identity is not None:
        sealed = context.cipher.seal(identity.to_json(), context=str(petition.petition_id))
        indexes = prepared.indexes
        uow.identities.add(
            StoredIdentity(petition.petition_id, sealed, indexes.id_number, indexes.phone), at=now
        )
    subject = integration_events.subject(petition.petition_id)
    await uow.publish(integration_events.registered(petition), subject=subject)
    log.info(
        "petition.registered",
        petition_id=str(petition.petition_id),
        registration_number=petition.registration_number,
    )
    return Registered(petition=petition, query_code=query_code)


async def register_petition(
    uow: IntakeUnitOfWork,
    context: IntakeContext,
    registration: Registration,
    *,
    identity: Identity | None,
    urgent_reported_to: str | None = None,
) -> Registered:
    """Register and number a petition and announce it (``petition.registered``); a repeat is
    linked to its original (``petition.repeat_linked``), an urgent one reported at once."""
    if registration.urgent and urgent_reported_to is None:
        raise ValueError("an urgent petition names the leader it is reported to")
    now = context.clock.now()
    prepared = await prepare(uow, context, registration, identity=identity)
    # Everything that can be done before taking the office's number is done first: the
    # counter row stays locked from here to the commit.
    year = registration_year(now, context.zone)
    (sequence,) = await uow.counters.take(office_id=registration.office_id, year=year)
    registered = await record(uow, context, prepared, sequence=sequence, now=now)
    petition = registered.petition
    if urgent_reported_to is not None and registration.urgent:
        petition = petition.report_urgent(now)
        await uow.petitions.save(petition)
        await uow.publish(
            integration_events.urgent_reported(
                petition,
                reported_to=urgent_reported_to,
                reported_by=registration.registered_by or SYSTEM_ACTOR,
            ),
            subject=integration_events.subject(petition.petition_id),
        )
    if prepared.same_matter is None:
        return Registered(petition=petition, query_code=registered.query_code)
    petition, original = await _link_repeat(uow, context, petition, prepared.same_matter)
    log.info(
        "petition.repeat_linked",
        petition_id=str(petition.petition_id),
        original_registration_number=original.registration_number,
    )
    return Registered(petition=petition, query_code=registered.query_code, original=original)


def _same_matter(
    context: IntakeContext, registration: Registration, earlier: list[Petition]
) -> Petition | None:
    """The oldest earlier petition of the same petitioner on the same matter."""
    new = matter_of(registration)
    return next(
        (
            old
            for old in earlier
            if compare(new, matter_of(old.details)).same_matter(context.repeat_threshold)
        ),
        None,
    )


async def _link_repeat(
    uow: IntakeUnitOfWork, context: IntakeContext, petition: Petition, match: Petition
) -> tuple[Petition, Petition]:
    """Link to the original of ``match`` (itself, or the one it repeats)."""
    root_id = match.original_petition_id or match.petition_id
    root = match if root_id == match.petition_id else await uow.petitions.get(petition_id=root_id)
    if root is None:  # the link target is always registered here; defensive for old data
        root = match
    now = context.clock.now()
    subject = integration_events.subject(petition.petition_id)
    milestones = await uow.timeline.of_petition(petition_id=root.petition_id)
    final_after_re_review = any(
        m.kind is MilestoneKind.FINAL and m.details.get("basis") == FinalBasis.RE_REVIEW_CONCLUDED
        for m in milestones
    )
    if outcome_for(original_final_after_re_review=final_after_re_review) is (
        RepeatOutcome.NOT_ACCEPTED_FINAL
    ):
        command = NotAccept(
            decided_by=SYSTEM_ACTOR,
            reason=NotAcceptedReason.ALREADY_RE_REVIEWED,
            proper_channel=PROPER_CHANNEL_AFTER_RE_REVIEW,
        )
        petition = petition.decide(
            make_decision(
                command,
                received_at=petition.details.received_at,
                decided_at=now,
                zone=context.zone,
                calendar=context.calendar,
            )
        )
        await uow.publish(integration_events.not_accepted(petition), subject=subject)
        uow.timeline.add(decision_milestone(petition))
    petition = petition.link_to(root.petition_id)
    await uow.petitions.save(petition)
    repeats = await uow.petitions.count_linked(original_petition_id=root.petition_id)
    await uow.publish(
        integration_events.repeat_linked(petition, repeat_count=repeats + 1, linked_at=now),
        subject=subject,
    )
    uow.timeline.add(
        Milestone(
            key=f"repeat_linked:{petition.petition_id}",
            kind=MilestoneKind.REPEAT_LINKED,
            occurred_at=now,
            petition_id=petition.petition_id,
            details={"original_registration_number": root.registration_number},
        )
    )
    return petition, root


def matter_of(details: Registration) -> Matter:
    return Matter(
        accused_unit_ids=frozenset(details.accused_unit_ids),
        accused_persons=frozenset(details.accused_persons),
        division_code=details.division_code,
        subject_category=details.subject_category,
        text=details.summary,
    )


def decision_milestone(petition: Petition) -> Milestone:
    """The public face of an acceptance decision: reasons and where to go, nothing internal."""
    decision = petition.decision
    if decision is None:
        raise ValueError("no decision yet")
    kind = {
        DecisionOutcome.ACCEPT: MilestoneKind.ACCEPTED,
        DecisionOutcome.NOT_ACCEPT: MilestoneKind.NOT_ACCEPTED,
        DecisionOutcome.REFER_OUT: MilestoneKind.REFERRED_OUT,
    }[decision.outcome]
    details: dict[str, str] = {}
    if decision.reason is not None:
        details["reason"] = decision.reason.value
    if decision.proper_channel is not None:
        details["proper_channel"] = decision.proper_channel
    if decision.referral_reason is not None:
        details["referral_reason"] = decision.referral_reason
    return Milestone(
        key=f"decision:{petition.petition_id}",
        kind=kind,
        occurred_at=decision.decided_at,
        petition_id=petition.petition_id,
        details=details,
    )
