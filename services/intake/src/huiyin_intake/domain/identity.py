"""A petitioner's identity (domain §4.8): secret, held only by intake, encrypted at rest.

Only its blind indexes and a pseudonymous reference ever leave this module's owners.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
ID_NUMBER_PATTERN = re.compile(
    r"^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$"
)
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_PATTERN = re.compile(r"^0\d{2,3}\d{7,8}$")


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_valid(value: str) -> bool:
    """An 18-character resident identity number with a correct ISO 7064 check character."""
    value = normalise_id_number(value)
    if not ID_NUMBER_PATTERN.match(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def normalise_phone(value: str) -> str:
    """Digits only, without a +86/0086 country prefix: '+86 138-0000-0000' → '13800000000'."""
    digits = re.sub(r"[\s()-]", "", value.strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def phone_valid(value: str) -> bool:
    digits = normalise_phone(value)
    return bool(MOBILE_PATTERN.match(digits) or LANDLINE_PATTERN.match(digits))


@dataclass(frozen=True)
class Person:
    """A co-petitioner or a representative of a collective petition."""

    name: str
    phone: str | None = None
    id_number: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who the petitioner is; every attribute is confidential."""

    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    work_unit: str | None = None
    position: str | None = None
    gender: Gender | None = None
    email: str | None = None
    co_petitioners: tuple[Person, ...] = field(default_factory=tuple)
    representatives: tuple[Person, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        """Every person's name in it, to keep out of text that is published."""
        people = (*self.co_petitioners, *self.representatives)
        return (self.name, *(p.name for p in people))

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Identity:
        data: dict[str, Any] = json.loads(raw)
        gender = data.pop("gender", None)
        return cls(
            **{k: v for k, v in data.items() if k not in {"co_petitioners", "representatives"}},
            gender=None if gender is None else Gender(gender),
            co_petitioners=tuple(Person(**p) for p in data.get("co_petitioners", ())),
            representatives=tuple(Person(**p) for p in data.get("representatives", ())),
        )
