from __future__ import annotations

import re

from huiyin_intake.domain.petitioners import new_petitioner_ref

CONTRACT_PATTERN = re.compile(r"^pr_[A-Za-z0-9_-]{16,64}$")


def test_ref_is_prefix_and_22_url_safe_characters() -> None:
    ref = new_petitioner_ref()
    assert re.fullmatch(r"pr_[A-Za-z0-9_-]{22}", ref)
    assert CONTRACT_PATTERN.fullmatch(ref)


def test_refs_are_random() -> None:
    assert len({new_petitioner_ref() for _ in range(1000)}) == 1000
