"""What global search finds deals by."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amity.core import search
from amity.sales.models import Deal, Lead


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

    search.register(
        Lead,
        label=_("Leads"),
        document=lambda lead: search.Document(
            names=[lead.first_name, lead.last_name],
            words=[lead.email, lead.company_name],
            phones=[lead.phone],
        ),
        title=str,
        subtitle=lambda lead: " · ".join(p for p in (lead.company_name, lead.email) if p),
    )
