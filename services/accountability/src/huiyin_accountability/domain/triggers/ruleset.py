"""The rule file: loaded, validated against the known kinds, and applied to facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from huiyin_accountability.domain.facts import Fact
from huiyin_accountability.domain.triggers.evaluators import EVALUATORS, Context
from huiyin_accountability.domain.triggers.model import Rule, Verdict, Watch

DEFAULT_RULES = files("huiyin_accountability.domain.triggers") / "rules.yaml"


class RuleFileError(ValueError):
    """The rule file cannot be used; the message names the file and the defect."""


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    kind: str
    title: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in EVALUATORS:
            raise ValueError(f"unknown rule kind {value!r}; known: {', '.join(sorted(EVALUATORS))}")
        return value


class _RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    settle_seconds: float = Field(default=60, ge=0)
    rules: list[_RuleSpec] = Field(min_length=1)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    settle: timedelta

    @classmethod
    def parse(cls, text: str, *, origin: str = "rules") -> RuleSet:
        try:
            spec = _RuleFile.model_validate(yaml.safe_load(text))
        except (yaml.YAMLError, ValidationError) as exc:
            raise RuleFileError(f"{origin}: {exc}") from None
        ids = [r.id for r in spec.rules]
        if len(set(ids)) != len(ids):
            raise RuleFileError(f"{origin}: a rule id appears twice")
        rules = tuple(Rule(r.id, r.kind, r.title, r.source, dict(r.params)) for r in spec.rules)
        return cls(rules=rules, settle=timedelta(seconds=spec.settle_seconds))

    @classmethod
    def load(cls, path: Path | None = None) -> RuleSet:
        """The rule file at ``path``, or the rules shipped with the service."""
        if path is None:
            return cls.parse(DEFAULT_RULES.read_text(encoding="utf-8"), origin="rules.yaml")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleFileError(f"{path}: {exc}") from None
        return cls.parse(text, origin=str(path))

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def watches(self, fact: Fact) -> list[Watch]:
        """Every rule check this fact touches."""
        return [w for rule in self.rules for w in EVALUATORS[rule.kind].watches(rule, fact)]

    def judge(self, watch: Watch, facts: Sequence[Fact], ctx: Context) -> Verdict:
        rule = self.rule(watch.rule_id)
        return EVALUATORS[rule.kind].judge(rule, watch, facts, ctx)


FACT_TYPES = frozenset(
    {
        "petition.registered",
        "petition.accepted",
        "petition.urgent_reported",
        "petition.repeat_linked",
        "identity.accessed",
        "petition.routed",
        "petition.rerouted",
        "routing.manual_decision_required",
        "case.returned_by_unit",
        "case.opened",
        "case.accepted_by_unit",
        "case.overdue",
        "case.extension_requested",
        "case.closed",
        "petition.feedback_received",
    }
)
"""Events kept as facts: what the evaluators and the assessment read."""
