"""Accountability's HTTP API: the routers, built once in the composition root."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from huiyin_accountability.domain.office import Office
from huiyin_accountability.domain.triggers import RuleSet
from huiyin_accountability.entrypoints.routes_assessment import assessment_router
from huiyin_accountability.entrypoints.routes_cases import cases_router
from huiyin_accountability.entrypoints.routes_ledger import ledger_router
from huiyin_accountability.entrypoints.routes_matters import matters_router
from huiyin_accountability.unit_of_work import AccountabilityUnitOfWork
from huiyin_shared.clock import Clock


def build_routers(
    uow_factory: Callable[[], AccountabilityUnitOfWork],
    *,
    clock: Clock,
    office: Office,
    rules: RuleSet,
    verify_page_size: int,
) -> list[APIRouter]:
    return [
        matters_router(uow_factory, clock=clock, office=office, rules=rules),
        cases_router(uow_factory, clock=clock, office=office),
        assessment_router(uow_factory, clock=clock, office=office),
        ledger_router(uow_factory, verify_page_size=verify_page_size),
    ]
