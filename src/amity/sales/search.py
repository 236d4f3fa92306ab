"""What global search finds deals by."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amity.core import search
from amity.sales.models import Deal


def deal_document(deal: Deal) -> search.Document:
    company = deal.company.name if deal.company is not None else ""
    return search.Document(names=[deal.name], words=[company])


def deal_subtitle(deal: Deal) -> str:
    company = deal.company.name if deal.company is not None else ""
    return " · ".join(part for part in (company, f"{deal.amount} {deal.currency}") if part)


def register() -> None:
    search.register(
        Deal,
        label=_("Deals"),
        document=deal_document,
        title=str,
        subtitle=deal_subtitle,
        select_related=["company"],
    )
