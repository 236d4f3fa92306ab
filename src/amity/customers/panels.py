"""Panels on the customer 360 page (a person's or a company's record).

A module adds a panel without editing the customers app, from its AppConfig.ready():

    from amity.customers import panels

    panels.register(
        "deals",
        title=_("Deals"),
        template="sales/_deals_panel.html",
        context=lambda member, record: {"deals": list(open_deals(member, record)[:5])},
        allowed=lambda member, record: access.can(member, "deal", "view"),
        kinds=("company", "person"),
        order=30,
    )

`allowed` decides whether the member sees the panel (no query, or one); `context`
returns what the template partial needs and must cost one bounded query (a
LIMIT, `select_related` for what it shows), so the record page keeps a fixed
number of SQL queries whatever the data. The partial is included inside a
`<section class="card">` headed by the title, with the context as `panel`,
plus `record`, `kind` and `may` (the member's actions on the record).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amity.core.models import Membership
from amity.customers.models import CustomerRecord

Allowed = Callable[[Membership, Any], bool]
Context = Callable[[Membership, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    context: Context
    allowed: Allowed
    kinds: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class ShownPanel:
    key: str
    title: str
    template: str
    context: dict[str, Any]


_panels: dict[str, Panel] = {}


def _always(member: Membership, record: Any) -> bool:
    return True


def register(
    key: str,
    *,
    title: Any,
    template: str,
    context: Context,
    allowed: Allowed = _always,
    kinds: tuple[str, ...] = ("person", "company"),
    order: int = 100,
) -> None:
    """Add (or replace) the panel `key` on the record pages of `kinds`."""
    _panels[key] = Panel(key, title, template, context, allowed, tuple(kinds), order)


def unregister(key: str) -> None:
    _panels.pop(key, None)


def registered() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def for_record(member: Membership, record: CustomerRecord) -> list[ShownPanel]:
    """Return the panels to show on `record`'s page; a context of None hides a panel."""
    shown = []
    for panel in registered():
        if record.ACCESS_TYPE not in panel.kinds or not panel.allowed(member, record):
            continue
        context = panel.context(member, record)
        if context is None:
            continue
        shown.append(ShownPanel(panel.key, str(panel.title), panel.template, context))
    return shown
