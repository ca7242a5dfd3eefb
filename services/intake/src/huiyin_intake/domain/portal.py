"""Portals and petitioners without accounts: API keys for portals, query codes for people."""

from __future__ import annotations

import re
import secrets
from enum import StrEnum

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""No 0/O, 1/I: a code read out over the phone or copied from paper survives."""
QUERY_CODE_LENGTH = 12
"""12 characters of 32 symbols: 60 bits, beyond guessing under the rate limits."""
QUERY_CODE_PATTERN = re.compile(
    rf"^[{QUERY_CODE_ALPHABET}]{{4}}(-[{QUERY_CODE_ALPHABET}]{{4}}){{2}}$"
)

API_KEY_PREFIX = "hyk"
_API_KEY = re.compile(r"^hyk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")


class PortalScope(StrEnum):
    SUBMIT = "submit"
    TRACK = "track"
    FEEDBACK = "feedback"


def new_query_code() -> str:
    """``XXXX-XXXX-XXXX`` from an unambiguous alphabet."""
    chars = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return "-".join(chars[i : i + 4] for i in range(0, QUERY_CODE_LENGTH, 4))


def normalise_query_code(code: str) -> str:
    """Case and separators do not matter to the person typing it."""
    letters = re.sub(r"[\s-]", "", code.upper())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def new_api_key() -> tuple[str, str, str]:
    """``(key_id, secret, full key)``; the full key is shown once to the admin."""
    key_id = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"{API_KEY_PREFIX}_{key_id}_{secret}"


def parse_api_key(value: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed key, else None."""
    match = _API_KEY.match(value.strip())
    return None if match is None else (match.group(1), match.group(2))
