"""Identity numbers: check characters, normalisation and the keyed hash."""

from __future__ import annotations

import pytest

from models.identity import (
    check_identity,
    credit_code_is_valid,
    identity_key,
    is_identity_number,
    keyed_hash,
    resident_id_is_valid,
)
from models.settings import Settings

#: The example number of GB 11643-1999 and a well-known company's credit code.
RESIDENT = "11010519491231002X"
CREDIT = "91350100M000100Y43"


def test_check_characters() -> None:
    assert resident_id_is_valid(RESIDENT)
    assert not resident_id_is_valid(RESIDENT[:-1] + "1")
    assert credit_code_is_valid(CREDIT)
    assert not credit_code_is_valid(CREDIT[:-1] + "2")


def test_digits_of_another_script_are_read_as_ascii_digits() -> None:
    """Python's ``\\d`` reads ١١٠… as digits: such a number passed the check, and its hash
    (ASCII) then failed with a 500. It is now the same number, with the same hash."""
    arabic_indic = RESIDENT.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert not resident_id_is_valid(arabic_indic)  # the check itself wants ASCII digits
    assert check_identity(arabic_indic) == RESIDENT
    assert is_identity_number(arabic_indic)
    key = b"k" * 32
    assert keyed_hash(arabic_indic, key) == keyed_hash(RESIDENT, key)


def test_full_width_and_lower_case_are_normalised() -> None:
    typed = "１１０１０５１９４９１２３１００２ｘ"
    assert check_identity(typed) == RESIDENT
    assert check_identity(" 11010519491231002x ") == RESIDENT


def test_bad_number_names_the_formats() -> None:
    with pytest.raises(ValueError, match="身份证号"):
        check_identity("110105194912310021")


def test_hash_is_keyed_and_stable() -> None:
    one, two = keyed_hash(RESIDENT, b"a"), keyed_hash(RESIDENT.lower(), b"a")
    assert one == two and len(one) == 64 and RESIDENT not in one
    assert keyed_hash(RESIDENT, b"b") != one


def test_generated_key_is_private_and_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path)
    key = identity_key(settings)
    assert identity_key(settings) == key and len(key) == 64
    assert settings.identity_key_file.stat().st_mode & 0o777 == 0o600
    configured = Settings(home=tmp_path, identity_hash_key="court-secret")  # type: ignore[arg-type]
    assert identity_key(configured) == b"court-secret"
