"""Read queries for companies and people, shared by the HTML views and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from amity.core import access
from amity.core.models import Membership
from amity.core.paging import Page, paginate
from amity.customers.models import Company, Person

PERSON_SORTS = {
    "name": ["last_name", "first_name", "id"],
    "-name": ["-last_name", "-first_name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
COMPANY_SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}


@dataclass(frozen=True)
class ListParams:
    q: str = ""
    owner: str = ""  # a user id, "me" or "none"
    company: int | None = None
    country: str = ""
    sort: str = "name"
    after: str | None = None
    before: str | None = None
    size: int = 50


def _owner_filter(member: Membership, owner: str) -> Q:
    if owner == "me":
        return Q(owner_id=member.user_id)
    if owner == "none":
        return Q(owner__isnull=True)
    if owner.isdigit():
        return Q(owner_id=int(owner))
    return Q()


def people(member: Membership, params: ListParams) -> Page[Person]:
    qs = people_query(member, params)
    ordering = PERSON_SORTS.get(params.sort, PERSON_SORTS["name"])
    return paginate(qs, ordering, after=params.after, before=params.before, size=params.size)


def people_query(member: Membership, params: ListParams, action: str = "view") -> QuerySet[Person]:
    """Return the filtered people within the member's scope for `action` (unordered)."""
    qs: QuerySet[Person] = access.visible(member, Person).select_related("company", "owner")
    if action != "view":
        qs = qs.filter(pk__in=access.visible(member, Person, action=action).values("pk"))
    q = params.q.strip()
    if q:
        first, _, rest = q.partition(" ")
        by_name = Q(last_name__istartswith=q) | Q(first_name__istartswith=q)
        if rest:
            by_name |= Q(first_name__istartswith=first, last_name__istartswith=rest)
        qs = qs.filter(by_name | Q(email__istartswith=q))
    qs = qs.filter(_owner_filter(member, params.owner))
    if params.company:
        qs = qs.filter(company_id=params.company)
    if params.country:
        qs = qs.filter(billing_country=params.country.upper())
    return qs


def companies(member: Membership, params: ListParams) -> Page[Company]:
    qs = companies_query(member, params)
    ordering = COMPANY_SORTS.get(params.sort, COMPANY_SORTS["name"])
    return paginate(qs, ordering, after=params.after, before=params.before, size=params.size)


def companies_query(
    member: Membership, params: ListParams, action: str = "view"
) -> QuerySet[Company]:
    """Return the filtered companies within the member's scope for `action` (unordered)."""
    qs: QuerySet[Company] = access.visible(member, Company).select_related("owner")
    if action != "view":
        qs = qs.filter(pk__in=access.visible(member, Company, action=action).values("pk"))
    q = params.q.strip()
    if q:
        qs = qs.filter(Q(name__istartswith=q) | Q(domain__istartswith=q))
    qs = qs.filter(_owner_filter(member, params.owner))
    if params.country:
        qs = qs.filter(billing_country=params.country.upper())
    return qs
