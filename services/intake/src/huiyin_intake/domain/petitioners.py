"""Pseudonymous petitioner references: the only trace of a petitioner outside intake."""

from __future__ import annotations

import secrets

PETITIONER_REF_PREFIX = "pr_"
_RANDOM_BYTES = 16
"""16 random bytes are 22 url-safe base64 characters (128 bits, never guessed)."""


def new_petitioner_ref() -> str:
    """A fresh reference, ``pr_`` and 22 url-safe random characters; carries no identity."""
    return PETITIONER_REF_PREFIX + secrets.token_urlsafe(_RANDOM_BYTES)
