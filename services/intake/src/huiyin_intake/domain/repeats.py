"""Repeat petitions (domain §4.5): same petitioner, same matter → linked, not opened again.

The petitioner is recognised by blind index (repository's job); this module judges whether
two petitions raise the same *matter*: who is accused, where it happened, and what is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huiyin_intake.domain.similarity import containment, dice, normalise

COUNTY_DIGITS = 6
"""Division codes agree on the county (6 digits): a village code and its county's match."""
MISFILED_SIMILARITY = 0.6
"""Texts this alike are one matter even under different subject categories (misfiled)."""


@dataclass(frozen=True)
class Matter:
    """What a petition is about, as far as repeat detection is concerned."""

    accused_unit_ids: frozenset[str]
    accused_persons: frozenset[str]
    division_code: str
    subject_category: str
    text: str


@dataclass(frozen=True)
class Similarity:
    accused: bool | None
    """True: they share an accused; False: both name accused and none is shared; None: n/a."""
    same_place: bool
    same_category: bool
    text: float

    def same_matter(self, threshold: float) -> bool:
        """Different accused or another county: another matter. Otherwise the text decides,
        against ``threshold`` within one subject category, else only when nearly identical."""
        if self.accused is False or not self.same_place:
            return False
        return self.text >= (threshold if self.same_category else MISFILED_SIMILARITY)


def compare(new: Matter, old: Matter) -> Similarity:
    accused: bool | None = None
    named_new = new.accused_unit_ids | new.accused_persons
    named_old = old.accused_unit_ids | old.accused_persons
    if named_new and named_old:
        accused = bool(named_new & named_old)
    same_place = new.division_code[:COUNTY_DIGITS] == old.division_code[:COUNTY_DIGITS]
    names = tuple(new.accused_persons | old.accused_persons)
    left, right = normalise(new.text, drop=names), normalise(old.text, drop=names)
    text = 0.5 * dice(left, right) + 0.5 * containment(left, right)
    return Similarity(
        accused=accused,
        same_place=same_place,
        same_category=new.subject_category == old.subject_category,
        text=text,
    )


class RepeatOutcome(StrEnum):
    LINKED = "linked"
    """Linked to the original; the petitioner is told its status (§4.5)."""
    NOT_ACCEPTED_FINAL = "not_accepted_final"
    """The matter was concluded after re-review: the same facts again are not accepted (§4.4)."""


def outcome_for(*, original_final_after_re_review: bool) -> RepeatOutcome:
    if original_final_after_re_review:
        return RepeatOutcome.NOT_ACCEPTED_FINAL
    return RepeatOutcome.LINKED
