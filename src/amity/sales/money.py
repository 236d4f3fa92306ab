"""Money: amounts always travel with their currency; totals convert to the base currency.

Rates are "base units per one unit of the currency" on a date; a total uses the
latest rate on or before the day asked for. Conversions round half up to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from amity.sales.models import ExchangeRate

CENT = Decimal("0.01")
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rates(workspace_id: int, currencies: Iterable[str], base: str, on: date) -> dict[str, Decimal]:
    """Return the latest rate on or before `on` for each currency that has one (base is 1)."""
    wanted = sorted({c for c in currencies if c != base})
    found: dict[str, Decimal] = {base: Decimal(1)}
    if not wanted:
        return found
    latest = (
        ExchangeRate.objects.filter(workspace_id=workspace_id, currency__in=wanted, date__lte=on)
        .values("currency")
        .annotate(last=Max("date"))
    )
    pairs = {(row["currency"], row["last"]) for row in latest}
    if not pairs:
        return found
    for currency, day, rate in ExchangeRate.objects.filter(
        workspace_id=workspace_id,
        currency__in=[c for c, _ in pairs],
        date__in={d for _, d in pairs},
    ).values_list("currency", "date", "rate"):
        if (currency, day) in pairs:
            found[currency] = rate
    return found


def convert(amounts: dict[str, Decimal], base: str, table: dict[str, Decimal]) -> Decimal | None:
    """Return the sum of per-currency amounts in `base`, or None when a rate is missing."""
    total = Decimal(0)
    for currency, amount in amounts.items():
        rate = table.get(currency)
        if rate is None:
            return None
        total += amount * rate
    return cents(total)
