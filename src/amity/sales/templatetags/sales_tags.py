"""Template helpers for money: amounts in the reader's locale, always with their currency."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.simple_tag
def money(amount: Decimal | None, currency: str) -> str:
    """Return "1,234.50 EUR" (grouped and punctuated in the active language)."""
    if amount is None:
        return "—"
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0{currency}"
