"""The "Deals" panel on company and person pages, through the customers panel registry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from amity.core import access
from amity.core.models import Membership
from amity.customers import panels


def _context(member: Membership, record: Any) -> dict[str, Any]:
    from amity.sales import selectors

    if record.ACCESS_TYPE == "company":
        found = selectors.deals_for(member, company_id=record.pk)
    else:
        found = selectors.deals_for(member, person_id=record.pk)
    return {
        "deals": found,
        "can_create": access.can(member, "deal", "create"),
    }


def register() -> None:
    panels.register(
        "deals",
        title=_("Deals"),
        template="sales/_deals_panel.html",
        context=_context,
        allowed=lambda member, record: access.can(member, "deal", "view"),
        kinds=("company", "person"),
        order=30,
    )
