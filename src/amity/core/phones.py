"""What the numbering plan says about a country calling code (shared by checks and search)."""

from __future__ import annotations

import functools

import phonenumbers

_COUNTRY_CODES = frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def country_code_length(digits: str) -> int | None:
    """Return how many leading digits of an international number are its country code.

    Calling codes are prefix-free, so at most one of the first one, two or three digits
    is a code; None when none is.
    """
    for length in (1, 2, 3):
        if digits[:length] in _COUNTRY_CODES:
            return length
    return None


@functools.lru_cache(maxsize=512)
def trunk_prefix(code: int) -> str:
    """Return the prefix dialled before a national number inside its country ("0" in the UK).

    Countries sharing a code (+1, +7, +44 …) use their main region's; "" when there is none.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        code, phonenumbers.region_code_for_country_code(code)
    )
    return (metadata.national_prefix or "") if metadata is not None else ""
