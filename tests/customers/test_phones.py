"""customers.fields: the direct read of `+<code> <digits>` gives what phonenumbers.parse gives;
search finds each number as its country writes it."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from django.core.exceptions import ValidationError

from amity.core import search
from amity.customers import fields

SAMPLES = [
    "+47 22 33 44 55",
    "+4722334455",
    "+44 20 7946 0018",
    "+44 020 7946 0018",  # a national prefix after the code: parse drops it
    "+1 212 555 0100",
    "+1 1212 555 0100",
    "+39 06 1234 5678",  # Italian leading zero
    "+39 312 345 6789",
    "+7 812 123 4567",
    "+7 8 812 123 4567",
    "+49 030 1234567",
    "+353 1 234 5678",
    "+61 4 1234 5678",
    "+52 1 55 1234 5678",
    "+54 9 11 1234 5678",
    "+590 590 12 34 56",
    "+999 1234 5678",  # no such country code
    "+47 1",
    "+1 800 FLOWERS",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_direct_read_agrees_with_phonenumbers(text: str) -> None:
    fast = fields._international(text)
    if fast is not None:
        assert fast == phonenumbers.parse(text, None)


@pytest.mark.parametrize("region", [None, "NO", "GB"])
@pytest.mark.parametrize("text", SAMPLES)
def test_e164_is_that_of_a_full_parse(text: str, region: str | None) -> None:
    fields._e164.cache_clear()
    try:
        number = phonenumbers.parse(text, region)
        ok = phonenumbers.is_possible_number(number)
    except phonenumbers.NumberParseException:
        ok = False
    if not ok:
        with pytest.raises(ValidationError):
            fields.e164(text, region, "phone")
        return
    expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert fields.e164(text, region, "phone") == expected


@pytest.mark.parametrize("text", SAMPLES)
def test_search_finds_a_number_as_its_country_writes_it(text: str) -> None:
    # Search indexes an E.164 number also as dialled at home (trunk prefix and national
    # number), which is what phonenumbers' national format reads as, save Argentina's
    # mobiles, written with a "15" in the middle at home.
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return
    if not phonenumbers.is_possible_number(number) or number.country_code == 54:
        return
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert re.sub(r"\D", "", national) in search.phone_tokens(stored)
