"""Template helpers for money: amounts in the reader's locale, always with their currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.simple_tag
def money(amount: Decimal | None, currency: str) -> str:
    """Return "1,234.50 EUR" (grouped and punctuated in the active language)."""
    if amount is None:
        return "—"
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0{currency}"


@register.inclusion_tag("sales/_deals_panel.html", takes_context=True)
def deals_panel(context: template.Context, record: Any) -> dict[str, Any]:
    """Render the "Deals" panel of a company or person page (nothing without the grant)."""
    from amity.core import access
    from amity.sales import selectors

    member = context.get("membership")
    if member is None or not access.can(member, "deal", "view"):
        return {"show": False}
    if record.ACCESS_TYPE == "company":
        found = selectors.deals_for(member, company_id=record.pk)
    else:
        found = selectors.deals_for(member, person_id=record.pk)
    return {
        "show": True,
        "deals": found,
        "record": record,
        "can_create": access.can(member, "deal", "create"),
    }
