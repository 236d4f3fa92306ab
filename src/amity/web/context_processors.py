from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from amity.core import access
from amity.core.models import Membership


def shell(request: HttpRequest) -> dict[str, Any]:
    """Give every page the current membership and what the sidebar may show."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return {"membership": None}
    return {
        "membership": membership,
        "workspaces": Membership.objects.filter(user_id=membership.user_id, is_active=True)
        .select_related("workspace")
        .order_by("workspace__name"),
        "nav": {
            "companies": access.can(membership, "company", "view"),
            "people": access.can(membership, "person", "view"),
            "audit": access.can(membership, "audit", "view"),
            "admin": membership.role.is_admin,
            "deals": access.can(membership, "deal", "view"),
            "leads": access.can(membership, "lead", "view"),
        },
    }
