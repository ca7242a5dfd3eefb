"""Portal submissions, numbered and committed a group at a time per office (group commit).

An office's registration numbers are gapless, so its counter row stays locked from
numbering to commit and one office's submissions would pass it one after another. Here
the submissions that arrive while an office's group is being committed wait and form its
next group: one counter update for the whole group, one statement for all its writes, one
commit. A lone submission is a group of one, at once.

What a submission reads (its portal key, an answer kept for its ``Idempotency-Key``, the
petitioner's earlier petitions) it reads in its own request, side by side with the others.
A repeat of an earlier matter is linked to its original, which takes more reads under the
number: it is registered alone. If a group fails as a whole, each of its submissions is
registered again alone, so that one bad submission costs the others nothing but time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from huiyin_intake import metrics
from huiyin_intake.domain.identity import Identity
from huiyin_intake.domain.numbering import registration_year
from huiyin_intake.domain.petitions import Registration
from huiyin_intake.service import portal as portal_service
from huiyin_intake.service import registration
from huiyin_intake.service.context import IntakeContext
from huiyin_intake.service.grouping import GroupCommit
from huiyin_intake.service.portal import IdempotencyClaim
from huiyin_intake.service.registration import Prepared, Registered
from huiyin_intake.unit_of_work import IntakeUnitOfWork
from huiyin_shared.db.engine import database_unreachable
from huiyin_shared.errors import Unavailable
from huiyin_shared.logging import bind_correlation, current_correlation_id, describe_error

log = structlog.get_logger(__name__)

CREATED = 201

AnswerOf = Callable[[Registered], dict[str, Any]]
"""The portal's answer to a registered submission (kept for a retry with the same key)."""


@dataclass(frozen=True)
class Submission:
    registration: Registration
    identity: Identity | None
    idempotency: IdempotencyClaim | None = None


@dataclass(frozen=True)
class Submitted:
    status: int
    answer: dict[str, Any]
    replayed: bool
    """The answer kept for an earlier request with the same ``Idempotency-Key``."""
    registered: Registered | None
    """None when replayed: nothing was registered this time."""


@dataclass(frozen=True)
class _Ready:
    submission: Submission
    prepared: Prepared
    correlation_id: str | None
    """The request's, for the log lines and events written for it in the group."""


class PortalSubmissions:
    def __init__(
        self,
        uow_factory: Callable[[], IntakeUnitOfWork],
        context: IntakeContext,
        *,
        answer_of: AnswerOf,
        max_group: int,
        wait_seconds: float,
    ) -> None:
        self._uow_factory = uow_factory
        self._wait_seconds = wait_seconds
        self._context = context
        self._answer_of = answer_of
        self._groups: GroupCommit[str, _Ready, Submitted] = GroupCommit(
            self._commit_group, max_group=max_group
        )
        metrics.REGISTRATIONS_WAITING.set_function(lambda: self._groups.waiting)

    async def submit(self, uow: IntakeUnitOfWork, submission: Submission) -> Submitted:
        """Register a submission. ``uow`` is the request's own and only read from (it may
        be a reading unit of work); every write is in a transaction of its own."""
        if submission.registration.urgent:
            raise ValueError("portals do not report urgent petitions; clerks do")
        claim = submission.idempotency
        if claim is not None:
            kept = await portal_service.kept_answer(uow, self._context, claim)
            if kept is not None:
                return Submitted(*kept, replayed=True, registered=None)
        prepared = await registration.prepare(
            uow, self._context, submission.registration, identity=submission.identity
        )
        await uow.rollback()  # frees its connection while the submission is registered
        if prepared.same_matter is not None:
            return await self._alone(submission)
        office_id = submission.registration.office_id
        ready = _Ready(submission, prepared, current_correlation_id())
        try:
            async with asyncio.timeout(self._wait_seconds):
                return await self._groups.submit(office_id, ready)
        except TimeoutError:
            # Not left to wait without end behind a stuck office. A submission whose group had
            # not started is dropped; one whose group had may still be registered, and a retry
            # with the same Idempotency-Key then gets its answer.
            log.warning("registration.wait_exceeded", office_id=office_id)
            raise Unavailable(
                "registrations for this office are held up; retry with the same Idempotency-Key",
                retry_after=5,
            ) from None

    async def aclose(self) -> None:
        await self._groups.aclose()

    async def _commit_group(
        self, office_id: str, group: Sequence[_Ready]
    ) -> list[Submitted | Exception]:
        bind_correlation(None)
        metrics.REGISTRATION_GROUP_SIZE.observe(len(group))
        together, after = _first_of_each_key(group)
        outcomes: dict[int, Submitted | Exception] = {}
        try:
            submitted = await self._together(office_id, [group[i] for i in together])
        except Exception as exc:
            if database_unreachable(exc):
                return [exc] * len(group)
            log.warning(
                "registration.group_failed",
                office_id=office_id,
                size=len(together),
                error=describe_error(exc),
            )
            after = sorted([*together, *after])
        else:
            outcomes.update(zip(together, submitted, strict=True))
        for index in after:
            bind_correlation(group[index].correlation_id)
            try:
                outcomes[index] = await self._alone(group[index].submission)
            except Exception as exc:
                outcomes[index] = exc
        return [outcomes[i] for i in range(len(group))]

    async def _together(self, office_id: str, group: Sequence[_Ready]) -> list[Submitted]:
        context = self._context
        async with self._uow_factory() as uow:
            now = context.clock.now()
            numbers = await uow.counters.take(
                office_id=office_id, year=registration_year(now, context.zone), count=len(group)
            )
            submitted = []
            for ready, sequence in zip(group, numbers, strict=True):
                bind_correlation(ready.correlation_id)
                registered = await registration.record(
                    uow, context, ready.prepared, sequence=sequence, now=now
                )
                answer = self._answer_of(registered)
                claim = ready.submission.idempotency
                if claim is not None:
                    portal_service.keep_answer(uow, context, claim, CREATED, answer)
                submitted.append(Submitted(CREATED, answer, replayed=False, registered=registered))
            bind_correlation(None)
            await uow.commit()
        return submitted

    async def _alone(self, submission: Submission) -> Submitted:
        """The whole registration in a transaction of its own, a repeat linked."""
        done: list[Registered] = []
        async with self._uow_factory() as uow:

            async def produce() -> tuple[int, dict[str, Any]]:
                registered = await registration.register_petition(
                    uow, self._context, submission.registration, identity=submission.identity
                )
                done.append(registered)
                return CREATED, self._answer_of(registered)

            claim = submission.idempotency
            if claim is None:
                status, answer = await produce()
                replayed = False
            else:
                status, answer, replayed = await portal_service.idempotent(
                    uow, self._context, claim, produce
                )
            await uow.commit()
        return Submitted(status, answer, replayed, done[0] if done else None)


def _first_of_each_key(group: Sequence[_Ready]) -> tuple[list[int], list[int]]:
    """Positions of the submissions that go together, and of those sent again with a key
    already in the group: they wait for it and then get its answer, alone."""
    seen: set[tuple[str, str]] = set()
    together: list[int] = []
    after: list[int] = []
    for index, ready in enumerate(group):
        claim = ready.submission.idempotency
        key = None if claim is None else (claim.portal_id, claim.key)
        if key is not None and key in seen:
            after.append(index)
        else:
            together.append(index)
            if key is not None:
                seen.add(key)
    return together, after
