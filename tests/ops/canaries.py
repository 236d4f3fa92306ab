"""Canary national IDs and IBANs: plaintext that must never appear outside the app's memory."""

from __future__ import annotations

import re

from amity.core.models import Membership
from amity.customers import services
from amity.customers.models import Person
from amity.web.demo import iban

# A national ID reads CANARYX000123; an IBAN is a valid GB one with the bank code CNRY.
PATTERN = re.compile(r"CANARYX\d{6}|(?:GB\d\d)?CNRY\d{14}")
BYTES_PATTERN = re.compile(PATTERN.pattern.encode())


def national_id(i: int) -> str:
    return f"CANARYX{i:06d}"


def bank_account(i: int) -> str:
    return iban("GB", f"CNRY{i:014d}")


def seed(member: Membership, count: int, start: int = 0) -> list[Person]:
    """Create `count` people through the service, each with a canary national ID and IBAN."""
    return [
        services.create_person(
            member,
            {"first_name": "Canary", "last_name": f"Person {i}"},
            {"national_id": national_id(i), "bank_account": bank_account(i)},
        )
        for i in range(start, start + count)
    ]


def hits(data: bytes | str) -> set[str]:
    """Return every canary found in a dump, a file or log text."""
    if isinstance(data, bytes):
        return {m.decode() for m in BYTES_PATTERN.findall(data)}
    return set(PATTERN.findall(data))
