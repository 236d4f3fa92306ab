"""What global search finds companies and people by (never their sensitive values)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amity.core import crypto, search
from amity.customers.fields import tag_names
from amity.customers.models import Company, Person


def company_document(company: Company) -> search.Document:
    return search.Document(
        names=[company.name],
        words=[company.domain, company.email, company.website, *tag_names(company)],
        phones=[company.phone],
    )


def person_document(person: Person) -> search.Document:
    more_emails = [str(e.get("value", "")) for e in person.more_emails or []]
    more_phones = [str(p.get("value", "")) for p in person.more_phones or []]
    return search.Document(
        names=[person.first_name, person.last_name],
        words=[person.email, person.alt_email, *more_emails, *tag_names(person)],
        phones=[person.phone, person.mobile, *more_phones],
    )


def person_subtitle(person: Person) -> str:
    company = person.company
    company_name = company.name if company is not None and company.deleted_at is None else ""
    return " · ".join(part for part in (person.title, company_name, person.email) if part)


def person_exact(workspace_id: int, q: str) -> Q:
    """Match a national ID or IBAN typed in full, through their blind indexes."""
    return Q(national_id_bidx=crypto.blind_index(workspace_id, "national_id", q)) | Q(
        bank_account_bidx=crypto.blind_index(workspace_id, "bank_account", q)
    )


def register() -> None:
    search.register(
        Company,
        label=_("Companies"),
        document=company_document,
        title=str,
        subtitle=lambda c: " · ".join(part for part in (c.domain, c.industry) if part),
    )
    search.register(
        Person,
        label=_("People"),
        document=person_document,
        title=lambda p: p.full_name,
        subtitle=person_subtitle,
        select_related=["company"],
        exact=person_exact,
    )
