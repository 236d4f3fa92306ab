"""The timeline section of a person's or company's page, and its htmx fragments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from amity.core import access
from amity.core.models import Membership
from amity.customers import timeline
from amity.customers.models import Company, Person, TimelineEvent
from amity.customers.views import member_view

SENSITIVE = set(Person.SENSITIVE_FIELDS)


def _label(model: type[Company] | type[Person], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - a field since removed is shown by its name
        return name


def _decorate(items: list[TimelineEvent]) -> list[TimelineEvent]:
    """Give change entries readable rows: field label, before, after."""
    for event in items:
        changes = event.data.get("changes") if isinstance(event.data, dict) else None
        model = Person if event.person_id is not None else Company
        event.change_rows = [  # type: ignore[attr-defined]
            (_label(model, name), values[0], values[1])
            for name, values in (changes or {}).items()
            if isinstance(values, list) and len(values) == 2
        ]
    return items


def context(request: HttpRequest, member: Membership, subject: Company | Person) -> dict[str, Any]:
    """Return what the timeline section needs; one query for the entries."""
    kinds = timeline.parse_kinds(request.GET.getlist("kind"))
    before = request.GET.get("before") or None
    page = timeline.page(member, subject, kinds=kinds, before=before)
    _decorate(page.items)
    return {
        "timeline": page,
        "timeline_kind": kinds[0] if len(kinds) == 1 else "",
        "timeline_kinds": timeline.Kind.choices,
        "timeline_url": reverse(f"customers:{subject.ACCESS_TYPE}_timeline", args=[subject.pk]),
        "timeline_subject": subject,
        "timeline_composers": timeline.COMPOSERS,
        "may_write_notes": access.can(member, "note", "create"),
    }


def _timeline(request: HttpRequest, member: Membership, subject: Company | Person) -> HttpResponse:
    ctx = context(request, member, subject)
    name = (
        "customers/_timeline_entries.html"
        if request.htmx  # type: ignore[attr-defined]
        else "customers/timeline.html"
    )
    response = render(request, name, ctx)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@member_view
def person_timeline(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a person's timeline (a fragment for htmx: filtered by kind, or older entries)."""
    return _timeline(request, member, timeline.get_subject(member, Person, pk))


@require_GET
@member_view
def company_timeline(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a company's timeline, with its people's entries."""
    return _timeline(request, member, timeline.get_subject(member, Company, pk))
