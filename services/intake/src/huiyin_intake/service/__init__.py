"""Intake's use cases. They take a unit of work and never commit."""

from huiyin_intake.service.context import SYSTEM_ACTOR, IntakeContext
from huiyin_intake.service.decisions import decide_acceptance, report_urgent
from huiyin_intake.service.identity import read_identity, rotate_keys
from huiyin_intake.service.registration import Registered, register_petition

__all__ = [
    "SYSTEM_ACTOR",
    "IntakeContext",
    "Registered",
    "decide_acceptance",
    "read_identity",
    "register_petition",
    "report_urgent",
    "rotate_keys",
]
