"""Confidential identities at rest: AES-256-GCM with key ids, and keyed blind indexes.

- Every ciphertext has its own random 96-bit nonce and names the key that made it, so keys
  rotate: the active key encrypts, every configured key decrypts.
- The associated data binds a ciphertext to its row (the petition id): a ciphertext copied
  onto another petition's row fails authentication instead of showing the wrong person.
- Blind indexes (HMAC-SHA256 of a normalised ID number or phone) let intake match a
  petitioner without decrypting anything; the index key never leaves intake.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

NONCE_BYTES = 12
_AAD_PREFIX = b"huiyin.intake.identity.v1:"


class UnknownKeyError(LookupError):
    """A ciphertext names a key id that is not configured."""


class TamperedCiphertextError(ValueError):
    """Authentication failed: wrong row, wrong key or altered bytes."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes


class IdentityCipher:
    def __init__(self, keys: Mapping[str, SecretStr], *, active_key_id: str) -> None:
        self._keys: dict[str, AESGCM] = {}
        for key_id, secret in keys.items():
            raw = base64.b64decode(secret.get_secret_value(), validate=True)
            if len(raw) != 32:
                raise ValueError(f"identity key {key_id!r} must be 32 bytes (AES-256)")
            self._keys[key_id] = AESGCM(raw)
        if active_key_id not in self._keys:
            raise ValueError(f"the active identity key {active_key_id!r} is not configured")
        self.active_key_id = active_key_id

    def seal(self, plaintext: bytes, *, context: str) -> Sealed:
        """Encrypt under the active key, bound to ``context`` (e.g. the row's id)."""
        nonce = os.urandom(NONCE_BYTES)
        aead = self._keys[self.active_key_id]
        return Sealed(self.active_key_id, nonce, aead.encrypt(nonce, plaintext, _aad(context)))

    def open(self, sealed: Sealed, *, context: str) -> bytes:
        aead = self._keys.get(sealed.key_id)
        if aead is None:
            raise UnknownKeyError(f"identity key {sealed.key_id!r} is not configured")
        try:
            return aead.decrypt(sealed.nonce, sealed.ciphertext, _aad(context))
        except InvalidTag:
            raise TamperedCiphertextError(
                f"ciphertext does not authenticate for {context!r}"
            ) from None


def _aad(context: str) -> bytes:
    return _AAD_PREFIX + context.encode()


class Keyed:
    """HMAC-SHA256 derivations from the one index key, each under its own label."""

    def __init__(self, key: SecretStr) -> None:
        secret = key.get_secret_value().encode()
        if len(secret) < 16:
            raise ValueError("the index key must be at least 16 bytes")
        self._key = secret

    def digest(self, label: str, value: str) -> str:
        mac = hmac.new(self._key, f"{label}\x00{value}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    def id_number_index(self, normalised_id_number: str) -> str:
        return self.digest("blind-index/id-number", normalised_id_number)

    def phone_index(self, normalised_phone: str) -> str:
        return self.digest("blind-index/phone", normalised_phone)

    def petitioner_ref(self, blind_index: str) -> str:
        """Stable per petitioner, derived from the blind index, one-way twice over."""
        return "pr_" + self.digest("petitioner-ref", blind_index)[:22]

    def query_code_hash(self, registration_number: str, query_code: str) -> str:
        return self.digest("query-code", f"{registration_number}\x00{query_code}")

    def api_key_hash(self, secret: str) -> str:
        return self.digest("portal-api-key", secret)
