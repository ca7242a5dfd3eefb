"""Trigger rules over the other services' events: keep the facts, judge due checks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from huiyin_accountability.domain.facts import Fact, case_of, petition_of
from huiyin_accountability.domain.matters import Matter
from huiyin_accountability.domain.triggers import (
    Clear,
    Context,
    Finding,
    Rule,
    RuleSet,
    Wait,
    Watch,
)
from huiyin_accountability.metrics import MATTERS_OPENED, on_commit
from huiyin_accountability.repository.triggers import CLEARED, FIRED, PENDING, DueCheck
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.contracts.envelope import Envelope
from huiyin_shared.contracts.events.accountability import (
    AccountabilityMatterOpened,
    MatterSource,
)
from huiyin_shared.logging import describe_error

log = structlog.get_logger(__name__)


async def observe(
    uow: AccountabilityUnitOfWork,
    *,
    envelopes: Sequence[Envelope],
    rules: RuleSet,
    now: datetime,
) -> None:
    """Keep the events as facts and schedule the checks they touch (idempotent).

    Done for the events together, in a few statements whatever their number: the facts
    stored, the checks they create or move, the cleared checks of their petitions and cases
    reopened.
    """
    facts = list({envelope.id: _fact_of(envelope) for envelope in envelopes}.values())
    stored = await uow.triggers.add_facts(facts)
    new = [fact for fact in facts if fact.event_id in stored]
    if not new:
        return
    # A later event's watch replaces an earlier one's for the same check, as it would have
    # one event after another.
    checks = {
        (watch.rule_id, watch.key): (watch, watch.check_at(now, rules.settle))
        for fact in new
        for watch in rules.watches(fact)
    }
    await uow.triggers.schedule(list(checks.values()), now=now)
    petitions = {fact.petition_id for fact in new if fact.petition_id is not None}
    cases = {fact.case_id for fact in new if fact.case_id is not None}
    petitions |= await uow.triggers.petitions_of_cases(
        {f.case_id for f in new if f.petition_id is None and f.case_id is not None}
    )
    await uow.triggers.reopen_cleared(
        petition_ids=petitions, case_ids=cases, check_at=now + rules.settle, now=now
    )


def _fact_of(envelope: Envelope) -> Fact:
    data: dict[str, Any] = dict(envelope.data)
    return Fact(
        event_id=envelope.id,
        event_type=envelope.type,
        occurred_at=envelope.occurred_at,
        petition_id=petition_of(envelope.type, data),
        case_id=case_of(data),
        data=data,
    )


async def judge_due_checks(
    uow: AccountabilityUnitOfWork,
    *,
    rules: RuleSet,
    zone: ZoneInfo,
    now: datetime,
    limit: int,
) -> int:
    """Judge the checks due by ``now`` (claimed under SKIP LOCKED); returns how many."""
    due = await uow.triggers.claim_due(now=now, limit=limit)
    for check in due:
        await _judge(uow, check, rules=rules, ctx=Context(now=now, zone=zone))
    return len(due)


async def _judge(
    uow: AccountabilityUnitOfWork, check: DueCheck, *, rules: RuleSet, ctx: Context
) -> None:
    watch = check.watch
    facts = await uow.triggers.facts_about(petition_id=watch.petition_id, case_id=watch.case_id)
    try:
        verdict = rules.judge(watch, facts, ctx)
    except (KeyError, ValueError, TypeError) as exc:
        # A rule removed from the file, or a fact it cannot read: park the check until new
        # facts arrive rather than failing every other due check with it.
        log.error(
            "trigger.judge_failed", rule=watch.rule_id, key=watch.key, error=describe_error(exc)
        )
        await uow.triggers.settle(watch, status=CLEARED, now=ctx.now)
        return
    if isinstance(verdict, Wait):
        await uow.triggers.settle(
            watch, status=PENDING, now=ctx.now, check_at=verdict.until + rules.settle
        )
    elif isinstance(verdict, Clear):
        await uow.triggers.settle(watch, status=CLEARED, now=ctx.now)
    else:
        await _open_matter(uow, verdict, watch=watch, rule=rules.rule(watch.rule_id), now=ctx.now)
        await uow.triggers.settle(watch, status=FIRED, now=ctx.now)


async def _open_matter(
    uow: AccountabilityUnitOfWork, finding: Finding, *, watch: Watch, rule: Rule, now: datetime
) -> Matter:
    petition_id, case_id, key = watch.petition_id, watch.case_id, watch.key
    matter = Matter(
        matter_id=uuid.uuid4(),
        source=MatterSource.SYSTEM_TRIGGER,
        title=rule.title,
        summary=finding.summary,
        subject_unit_ids=finding.unit_ids,
        subject_staff_ids=finding.staff_ids,
        evidence_event_ids=finding.evidence,
        opened_at=now,
        rule_id=rule.id,
        subject_key=key,
        rule_source=rule.source,
        petition_id=petition_id,
        case_id=case_id,
    )
    await uow.matters.add(matter)
    await uow.publish(
        AccountabilityMatterOpened(
            matter_id=matter.matter_id,
            source=matter.source,
            rule_id=rule.id,
            rule_source=rule.source,
            subject_unit_ids=list(matter.subject_unit_ids),
            subject_staff_ids=list(matter.subject_staff_ids),
            petition_id=petition_id,
            case_id=case_id,
            evidence_event_ids=list(matter.evidence_event_ids),
            opened_at=now,
        ),
        subject=f"matter:{matter.matter_id}",
    )
    on_commit(uow.session, MATTERS_OPENED.labels(rule.id).inc)
    log.info("trigger.matter_opened", rule=rule.id, matter_id=str(matter.matter_id))
    return matter
