"""The panels the duplicates-and-merge feature shows on record pages (customers.panels)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core import access
from amity.core.models import Membership
from amity.customers import duplicates, merge, panels
from amity.customers.models import CustomerRecord

ON_PANEL = 5


def duplicates_context(member: Membership, record: CustomerRecord) -> dict[str, Any] | None:
    """The records that look like this one (one query); hidden when there are none."""
    found = list(duplicates.panel_query(member, record)[:ON_PANEL])
    if not found:
        return None
    return {"records": found, "can_merge": access.can(member, record.ACCESS_TYPE, "edit", record)}


def merged_from_context(member: Membership, record: CustomerRecord) -> dict[str, Any] | None:
    """The records merged into this one, with Undo while it is possible (one query)."""
    found = merge.recent_for(member, record, ON_PANEL)
    if not found:
        return None
    now = timezone.now()
    may_edit = access.can(member, record.ACCESS_TYPE, "edit", record)
    return {
        "merges": [
            {"merge": m, "can_undo": may_edit and m.undone_at is None and m.expires_at > now}
            for m in found
        ]
    }


def register() -> None:
    panels.register(
        "duplicates",
        title=_("Possible duplicates"),
        template="customers/_duplicates_panel.html",
        context=duplicates_context,
        order=10,
    )
    panels.register(
        "merged_from",
        title=_("Merged from"),
        template="customers/_merged_panel.html",
        context=merged_from_context,
        order=20,
    )
