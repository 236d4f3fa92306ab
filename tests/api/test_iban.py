"""customers.validators.validate_iban, which the API and the web forms share."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from amity.customers.validators import IBAN_LENGTHS, iban_checksum_ok, validate_iban


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("NO93 8601 1117 947", "NO9386011117947"),
        ("de89370400440532013000", "DE89370400440532013000"),
        ("GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819"),
        ("FR14-2004-1010-0505-0001-3M02-606", "FR1420041010050500013M02606"),
        ("BE68539007547034", "BE68539007547034"),
    ],
)
def test_it_accepts_and_normalises(value: str, normalised: str) -> None:
    assert validate_iban(value) == normalised


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "iban_format"),
        ("NO", "iban_format"),
        ("N09386011117947", "iban_format"),
        ("NO93 8601 1117 94é", "iban_format"),
        ("US64SVBKUS6S3300958879", "iban_country"),
        ("NO93860111179470", "iban_length"),
        ("NO9486011117947", "iban_checksum"),
        ("GB29NWBK60161331926818", "iban_checksum"),
    ],
)
def test_it_refuses(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_iban(value)
    assert exc.value.code == code


def test_every_registered_length_fits_the_field() -> None:
    assert all(15 <= n <= 34 for n in IBAN_LENGTHS.values())
    assert iban_checksum_ok("NO9386011117947")
