"""Trigger rules (rules as data, ``rules.yaml``) over the other services' events."""

from huiyin_accountability.domain.triggers.evaluators import EVALUATORS, Context
from huiyin_accountability.domain.triggers.model import Clear, Finding, Rule, Verdict, Wait, Watch
from huiyin_accountability.domain.triggers.ruleset import FACT_TYPES, RuleFileError, RuleSet

__all__ = [
    "EVALUATORS",
    "FACT_TYPES",
    "Clear",
    "Context",
    "Finding",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "Verdict",
    "Wait",
    "Watch",
]
