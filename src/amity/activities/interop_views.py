"""Calendar interop pages: the private feed, its settings, .ics import, cancelling events."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from amity.activities import attendees, events, feed, ics_import
from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.models import Person
from amity.customers.views import member_view


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("An .ics file"),
        help_text=gettext_lazy("At most 2 MB, exported from Google, Outlook or Apple Calendar."),
    )


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """Serve a member's calendar to a calendar app; the secret in the URL is the only key."""
    member = feed.member_for(secret)
    if member is None:
        raise Http404
    built = feed.build(member)
    headers = {
        "ETag": built.etag,
        "Cache-Control": "private, max-age=300",
        "X-Robots-Tag": "noindex",
        "Referrer-Policy": "no-referrer",
    }
    if built.etag in request.headers.get("If-None-Match", ""):
        return HttpResponse(status=304, headers=headers)
    response = HttpResponse(
        built.body, content_type="text/calendar; charset=utf-8", headers=headers
    )
    response["Content-Disposition"] = 'inline; filename="amity.ics"'
    return response


def _settings_page(
    request: HttpRequest,
    member: Membership,
    *,
    new_url: str = "",
    form: ImportForm | None = None,
    report: ics_import.Report | None = None,
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        "activities/calendar_settings.html",
        {
            "feed": feed.feed_of(member),
            "new_url": new_url,
            "form": form or ImportForm(),
            "report": report,
            "may_import": access.can(member, "task", "create"),
        },
    )
    response.status_code = status
    return response


@require_GET
@member_view
def calendar_settings(request: HttpRequest, member: Membership) -> HttpResponse:
    """Subscribe to the calendar from another app, and import an .ics file."""
    return _settings_page(request, member)


@require_POST
@member_view
def calendar_feed_reset(request: HttpRequest, member: Membership) -> HttpResponse:
    """Make a new private feed URL (the old one stops working) and show it this once."""
    _feed, secret = feed.reset(member)
    return _settings_page(request, member, new_url=feed.url_for(secret))


@require_POST
@member_view
def calendar_feed_off(request: HttpRequest, member: Membership) -> HttpResponse:
    feed.turn_off(member)
    messages.success(request, _("The calendar feed is turned off."))
    return redirect("activities:calendar_settings")


@require_POST
@member_view
def calendar_import(request: HttpRequest, member: Membership) -> HttpResponse:
    """Import the events of an uploaded .ics file and report what happened."""
    if not access.can(member, "task", "create"):
        raise PermissionDenied(_("Your role may not add events."))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _settings_page(request, member, form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > ics_import.MAX_BYTES:
        form.add_error("file", _("The file is larger than 2 MB."))
        return _settings_page(request, member, form=form, status=400)
    try:
        report = ics_import.import_file(member, upload.read(ics_import.MAX_BYTES + 1))
    except ics_import.NotICalendar:
        form.add_error("file", _("This is not an iCalendar (.ics) file; nothing was imported."))
        return _settings_page(request, member, form=form, status=400)
    return _settings_page(request, member, report=report)


@require_POST
@member_view
def event_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Cancel an event: attendees get a cancellation if the organizer ticks it."""
    event = events.get_event(member, pk, "delete")
    version = request.POST.get("version", "")
    try:
        attendees.cancel_event(
            member,
            event,
            expected_version=int(version[:9]) if version.isdigit() else 0,
            send=bool(request.POST.get("send_invitations")),
        )
    except VersionConflict:
        messages.error(request, _("Someone changed this event meanwhile. Reload it and try again."))
        return redirect("activities:event_edit", pk=event.pk)
    messages.success(request, _("The event is cancelled."))
    return redirect("activities:calendar")


@require_GET
@member_view
def attendee_options(request: HttpRequest, member: Membership) -> HttpResponse:
    """Return <option>s: the chosen people plus visible people with email matching `person_q`."""
    chosen = [int(v) for v in request.GET.getlist("people")[:100] if v.isdigit() and len(v) < 18]
    return render(
        request,
        "activities/_attendee_options.html",
        {"options": people_choices(member, request.GET.get("person_q", "")[:100], chosen)},
    )


def people_choices(member: Membership, q: str, chosen: list[int]) -> list[dict[str, Any]]:
    """Return visible people with an email: the chosen ones, then up to 20 matching `q`."""
    visible = (
        access.visible(member, Person)
        .exclude(email="")
        .only("id", "first_name", "last_name", "email")
    )
    rows = list(visible.filter(pk__in=chosen)) if chosen else []
    words = q.split()
    if words:
        found = visible.exclude(pk__in=chosen)
        for word in words[:3]:
            found = (
                found.filter(last_name__istartswith=word)
                | found.filter(first_name__istartswith=word)
                | found.filter(email__istartswith=word)
            )
        rows += list(found.order_by("last_name", "first_name", "id")[:20])
    return [
        {"id": p.pk, "label": f"{p.full_name} <{p.email}>", "selected": p.pk in chosen}
        for p in rows
    ]
