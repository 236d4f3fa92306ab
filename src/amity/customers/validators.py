"""Validators for customer fields, shared by the forms and the API."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# IBAN length per country, from the SWIFT IBAN registry.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$")


def normalise_iban(value: str) -> str:
    """Return the IBAN without spaces or dashes, in upper case."""
    return re.sub(r"[\s-]", "", value).upper()


def iban_checksum_ok(iban: str) -> bool:
    """Return whether a normalised IBAN passes the ISO 13616 mod-97 check."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def validate_iban(value: str) -> str:
    """Return the normalised IBAN, or raise ValidationError saying what is wrong."""
    iban = normalise_iban(value)
    if not _IBAN_SHAPE.match(iban):
        raise ValidationError(
            _("Enter an IBAN: a country code, two check digits and the account number."),
            code="iban_format",
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None:
        raise ValidationError(
            _("%(country)s is not a country that uses IBANs."),
            code="iban_country",
            params={"country": iban[:2]},
        )
    if len(iban) != expected:
        raise ValidationError(
            _("An IBAN from %(country)s has %(expected)d characters, not %(actual)d."),
            code="iban_length",
            params={"country": iban[:2], "expected": expected, "actual": len(iban)},
        )
    if not iban_checksum_ok(iban):
        raise ValidationError(
            _("This IBAN's check digits do not match; look for a typing mistake."),
            code="iban_checksum",
        )
    return iban
