"""The procedure through its use cases on SQLite: a second accountability within a year."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from huiyin_accountability.bootstrap import bootstrap
from huiyin_accountability.config import AccountabilitySettings
from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.procedure import (
    CaseRecord,
    Decision,
    ProcedureRefused,
    Proposal,
    Subject,
)
from huiyin_accountability.domain.sanctions import Circumstance
from huiyin_accountability.service import matters, procedure
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.calendar import BusinessCalendar
from huiyin_shared.contracts.events.accountability import (
    DecisionOutcome,
    MatterSource,
    SanctionCode,
    Severity,
    SubjectKind,
)
from huiyin_shared.db.migrations import upgrade
from huiyin_shared.runtime import ServiceApp

OFFICE = Office(calendar=BusinessCalendar(), zone=ZoneInfo("Asia/Shanghai"))
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
HANDLER = Subject(kind=SubjectKind.STAFF, id="handler-1")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[ServiceApp]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'accountability.db'}"
    await asyncio.to_thread(upgrade, "huiyin_accountability", url)
    service = bootstrap(AccountabilitySettings(database_url=url), consumers=False, timers=False)
    yield service
    await service.platform.engine.dispose()


def uow(app: ServiceApp) -> AccountabilityUnitOfWork:
    return app.platform.unit_of_work_factory(AccountabilityUnitOfWork)()


def minor(**changes: object) -> Proposal:
    values: dict[str, object] = {
        "subject": HANDLER,
        "outcome": DecisionOutcome.SANCTIONED,
        "base_severity": Severity.MINOR,
        "severity": Severity.MINOR,
        "sanctions": (SanctionCode.WRITTEN_SELF_CRITICISM,),
    }
    return Proposal.model_validate({**values, **changes})


async def investigated(app: ServiceApp, now: datetime) -> CaseRecord:
    async with uow(app) as u:
        matter = await matters.open_matter(
            u,
            source=MatterSource.INSPECTION,
            title="Delay",
            summary="Case left 40 days.",
            unit_ids=[],
            staff_ids=["handler-1"],
            opened_by="officer-1",
            now=now,
        )
        record = await matters.confirm_matter(
            u, matter_id=matter.matter_id, by="officer-1", now=now, office=OFFICE
        )
        await procedure.apply(
            u,
            record.case_id,
            lambda r: r.form_team(members=["inv-1", "inv-2"], conflicts={}),
            now=now,
        )
        record = await procedure.apply(
            u,
            record.case_id,
            lambda r: r.record_statement(
                subject_key=HANDLER.key,
                text="I was on leave.",
                declined=False,
                recorded_by="inv-1",
                on=OFFICE.local_date(now),
            ),
            now=now,
        )
        await u.commit()
    return record


async def report_and_decide(
    app: ServiceApp, record: CaseRecord, proposal: Proposal, decision: Decision, now: datetime
) -> CaseRecord:
    async with uow(app) as u:
        reported = await procedure.submit_report(
            u,
            case_id=record.case_id,
            facts="f",
            conclusion="c",
            proposals=[proposal],
            submitted_by="inv-1",
            now=now,
            office=OFFICE,
        )
        await u.commit()
    async with uow(app) as u:
        await procedure.decide(
            u,
            case_id=record.case_id,
            decisions=[decision],
            decided_by="committee",
            now=now,
            office=OFFICE,
        )
        await u.commit()
    return reported


async def test_a_second_accountability_within_a_year_moves_the_tier_up(app: ServiceApp) -> None:
    first = await investigated(app, T0)
    await report_and_decide(
        app,
        first,
        minor(),
        Decision(
            subject=HANDLER,
            outcome=DecisionOutcome.SANCTIONED,
            severity=Severity.MINOR,
            sanctions=(SanctionCode.WRITTEN_SELF_CRITICISM,),
        ),
        T0,
    )

    later = T0 + timedelta(days=200)
    second = await investigated(app, later)
    # The report proposes the base tier only; the record shows the earlier sanction.
    with pytest.raises(ProcedureRefused, match="tier minor is not allowed"):
        await report_and_decide(
            app,
            second,
            minor(),
            Decision(subject=HANDLER, outcome=DecisionOutcome.SANCTIONED),
            later,
        )
    flagged = minor(
        severity=Severity.SERIOUS,
        sanctions=(SanctionCode.REASSIGNMENT,),
        judicial_referral_flagged=True,
        judicial_referral_note="Possible falsified records.",
    )
    reported = await report_and_decide(
        app,
        second,
        flagged,
        Decision(
            subject=HANDLER,
            outcome=DecisionOutcome.SANCTIONED,
            severity=Severity.SERIOUS,
            sanctions=(SanctionCode.REASSIGNMENT,),
        ),
        later,
    )
    assert reported.report is not None
    [proposal] = reported.report.proposals
    assert Circumstance.REPEATED_WITHIN_ONE_YEAR in proposal.circumstances
    assert proposal.judicial_referral_flagged  # for people to decide; nothing else happens

    # More than a year after both, the circumstance no longer applies.
    third = await investigated(app, later + timedelta(days=400))
    async with uow(app) as u:
        plain = await procedure.submit_report(
            u,
            case_id=third.case_id,
            facts="f",
            conclusion="c",
            proposals=[minor()],
            submitted_by="inv-1",
            now=later + timedelta(days=400),
            office=OFFICE,
        )
    assert plain.report is not None
    assert plain.report.proposals[0].circumstances == ()
