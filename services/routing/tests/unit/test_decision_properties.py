"""Properties every decision keeps, whatever the facts (hypothesis, sample registry)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st

from huiyin_routing.domain.decision import Outcome, Verdict, decide
from huiyin_routing.domain.registry_build import build_snapshot
from huiyin_routing.domain.registry_file import parse_registry
from huiyin_routing.service.events import referred_out_event, routed_event
from huiyin_shared.contracts.events.common import PetitionKind
from huiyin_shared.testing.events import petition_facts

SAMPLE = build_snapshot(
    parse_registry(
        resources.files("huiyin_routing.data").joinpath("sample-registry.yaml").read_text()
    ),
    version=1,
)
UNITS = sorted(SAMPLE.organisations)
PEOPLE = sorted(SAMPLE.people)
PLACES = sorted(SAMPLE.divisions)
SUBJECTS = sorted(
    {
        s.removesuffix(".*") + (".x" if s.endswith(".*") else "")
        for u in SAMPLE.organisations.values()
        for c in u.competences
        for s in c.subjects
        if s != "*"
    }
    | {"space.launches", "labour.wages.arrears"}
)
AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(
    place=st.sampled_from(PLACES),
    village=st.one_of(st.none(), st.integers(min_value=1, max_value=999)),
    subject=st.sampled_from(SUBJECTS),
    kind=st.sampled_from(list(PetitionKind)),
    accused_units=st.lists(st.sampled_from(UNITS), max_size=3, unique=True),
    accused_people=st.lists(st.sampled_from(PEOPLE), max_size=2, unique=True),
    returned=st.lists(st.sampled_from(UNITS), max_size=3, unique=True),
    urgent=st.booleans(),
    collective=st.booleans(),
)
def test_every_decision_respects_the_exclusions_and_makes_a_valid_event(
    place: str,
    village: int | None,
    subject: str,
    kind: PetitionKind,
    accused_units: list[str],
    accused_people: list[str],
    returned: list[str],
    urgent: bool,
    collective: bool,
) -> None:
    code = place + f"{village:03d}" if village is not None and len(place) == 9 else place
    facts = petition_facts(
        office_id=f"{place[:6]}-xfb",
        division_code=code,
        subject_category=subject,
        kind=kind,
        accused_unit_ids=accused_units,
        accused_person_refs=accused_people,
        urgent=urgent,
        collective=collective,
    )
    excluded = dict.fromkeys(returned, "returned the case")
    decision = decide(facts, SAMPLE, excluded=excluded)
    assert decision == decide(facts, SAMPLE, excluded=excluded)  # a pure function
    assert decision.rules  # always a reason
    assert 1 <= len(decision.reasons()) <= 20

    chosen = [c for c in decision.candidates if c.verdict in (Verdict.LEAD, Verdict.PARTICIPATING)]
    forbidden = set(accused_units) | set(returned)
    for person in accused_people:
        forbidden |= set(SAMPLE.units_led_by.get(person, ()))
        forbidden.add(SAMPLE.people[person].unit)
    assert not {c.unit_id for c in chosen} & forbidden

    if decision.outcome is Outcome.ROUTE:
        assert decision.lead is not None
        assert not decision.lead.type.out_of_scope
        assert decision.escalation is not None
        assert decision.escalation.unit_head_id not in accused_people
        # The event contract accepts it (no accused unit, transfer ⇔ no report, …).
        routed_event(
            petition_id=uuid.uuid4(),
            decision_id=uuid.uuid4(),
            decision=decision,
            facts=facts,
            at=AT,
            decided_by=None,
            bounces=[],
        )
    elif decision.outcome is Outcome.REFER_OUT:
        assert decision.authority
        referred_out_event(
            petition_id=uuid.uuid4(),
            decision_id=uuid.uuid4(),
            decision=decision,
            at=AT,
            decided_by=None,
        )
    else:
        assert decision.lead is None
