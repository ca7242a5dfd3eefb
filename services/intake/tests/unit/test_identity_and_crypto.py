from __future__ import annotations

import base64
import os
import uuid

import pytest
from pydantic import SecretStr

from huiyin_intake.crypto import (
    IdentityCipher,
    Keyed,
    Sealed,
    TamperedCiphertextError,
    UnknownKeyError,
)
from huiyin_intake.domain.identity import (
    Gender,
    Identity,
    Person,
    id_number_valid,
    normalise_phone,
    phone_valid,
)


def key() -> SecretStr:
    return SecretStr(base64.b64encode(os.urandom(32)).decode())


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("370102198001011237", True),
        ("370102198001011238", False),  # wrong check character
        ("370102198013011237", False),  # month 13
        ("37010219800101123", False),  # 17 characters
    ],
)
def test_resident_id_numbers_are_checked(value: str, valid: bool) -> None:
    assert id_number_valid(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("13800138000", True),
        ("+86 138-0013-8000", True),
        ("0531-88886666", True),
        ("12345", False),
        ("23800138000", False),
    ],
)
def test_phones_are_checked(value: str, valid: bool) -> None:
    assert phone_valid(value) is valid


def test_phones_normalise_to_one_form() -> None:
    assert normalise_phone("+86 138-0013-8000") == normalise_phone("13800138000") == "13800138000"


def test_identity_round_trips_through_json() -> None:
    identity = Identity(
        name="张三",
        id_number="370102198001011237",
        phone="13800138000",
        gender=Gender.FEMALE,
        representatives=(Person(name="李四", phone="13912345678"),),
    )
    assert Identity.from_json(identity.to_json()) == identity


def test_sealed_identities_open_only_on_their_own_row_and_key() -> None:
    cipher = IdentityCipher({"k1": key()}, active_key_id="k1")
    row = str(uuid.uuid4())
    sealed = cipher.seal(b"secret", context=row)
    assert sealed.key_id == "k1"
    assert b"secret" not in sealed.ciphertext
    assert cipher.open(sealed, context=row) == b"secret"
    assert cipher.seal(b"secret", context=row).nonce != sealed.nonce  # a fresh nonce each time
    with pytest.raises(TamperedCiphertextError):
        cipher.open(sealed, context=str(uuid.uuid4()))  # copied onto another row
    flipped = Sealed(
        sealed.key_id, sealed.nonce, bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    )
    with pytest.raises(TamperedCiphertextError):
        cipher.open(flipped, context=row)
    with pytest.raises(UnknownKeyError):
        cipher.open(Sealed("k9", sealed.nonce, sealed.ciphertext), context=row)


def test_a_rotated_cipher_reads_old_keys_and_writes_the_new_one() -> None:
    old_key, new_key = key(), key()
    old = IdentityCipher({"k1": old_key}, active_key_id="k1")
    rotated = IdentityCipher({"k1": old_key, "k2": new_key}, active_key_id="k2")
    sealed = old.seal(b"secret", context="row")
    assert rotated.open(sealed, context="row") == b"secret"
    assert rotated.seal(b"secret", context="row").key_id == "k2"
    with pytest.raises(ValueError, match="32 bytes"):
        IdentityCipher(
            {"short": SecretStr(base64.b64encode(b"x" * 16).decode())}, active_key_id="short"
        )
    with pytest.raises(ValueError, match="not configured"):
        IdentityCipher({"k1": old_key}, active_key_id="k2")


def test_blind_indexes_and_references_are_keyed_and_stable() -> None:
    keyed = Keyed(SecretStr("a-sufficiently-long-index-key"))
    other = Keyed(SecretStr("another-sufficiently-long-key"))
    index = keyed.id_number_index("370102198001011237")
    assert index == keyed.id_number_index("370102198001011237")
    assert index != other.id_number_index("370102198001011237")
    assert index != keyed.phone_index("370102198001011237")  # labels keep uses apart
    ref = keyed.petitioner_ref(index)
    assert ref.startswith("pr_")
    assert len(ref) == 25
    assert "370102" not in ref
    assert "370102" not in index
