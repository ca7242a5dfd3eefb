"""Keeping identity out of free text that leaves intake (domain §4.8).

Summaries and comments are written by petitioners and clerks; they may name the petitioner
or give a phone number. What intake publishes passes through :func:`redact`: the names it
knows (petitioner, co-petitioners, representatives) and anything shaped like a resident ID
number, a phone number or an e-mail address are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[已隐去]"
_PATTERNS = (
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # resident identity number
    re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)"),  # landline with area code
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # e-mail
)
MIN_NAME_LENGTH = 2
"""A one-character 'name' would blank out ordinary words."""


def redact(text: str, names: Iterable[str] = ()) -> str:
    for name in sorted({n.strip() for n in names}, key=len, reverse=True):
        if len(name) >= MIN_NAME_LENGTH:
            text = text.replace(name, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text
