"""The calendar: the member's week, add an event by clicking a slot, edit it, move it by drag."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.activities import attendees, events
from amity.activities.attendee_forms import AttendeesForm, attendees_form
from amity.activities.models import Event
from amity.activities.recurrence import local_today, zone
from amity.activities.task_forms import EventForm
from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.views import member_view


def _day(value: str | None, member: Membership) -> date:
    found = parse_date(value or "") if value and len(value) == 10 else None
    return found if found and 1900 <= found.year <= 2999 else local_today(member.user.time_zone)


def _week_url(day: date) -> str:
    return f"{reverse('activities:calendar')}?date={day.isoformat()}"


@require_GET
@member_view
def calendar(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show the member's week; each half hour links to a new event there."""
    day = _day(request.GET.get("date"), member)
    days = events.week(member, day)
    monday = days[0].date
    return render(
        request,
        "activities/calendar.html",
        {
            "days": days,
            "hours": [s.strftime("%H:%M") for s in days[0].slots],
            "prev_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "today": local_today(member.user.time_zone),
            "may_create": access.can(member, "task", "create"),
            "working": events.WORKING,
        },
    )


def _data(member: Membership, form: EventForm) -> dict[str, Any]:
    c = form.cleaned_data
    return {
        "title": c["title"],
        "kind": c["kind"],
        "location": c["location"],
        "starts_at": events.local_moment(member, c["date"], c["start"]),
        "ends_at": events.local_moment(member, c["date"], c["end"]),
    }


def _page(
    request: HttpRequest,
    form: EventForm,
    event: Event | None,
    status: int = 200,
    attendees_form: AttendeesForm | None = None,
) -> HttpResponse:
    context = {"form": form, "event": event, "attendees_form": attendees_form}
    response = render(request, "activities/event_form.html", context)
    response.status_code = status
    return response


def _errors(form: EventForm, exc: ValidationError, invite: AttendeesForm | None = None) -> None:
    for name, problems in exc.message_dict.items():
        field = {"starts_at": "start", "ends_at": "end"}.get(name, name)
        for problem in problems:
            if name == "attendees" and invite is not None:
                invite.add_error("emails", problem)
                continue
            form.add_error(field if field in form.fields else None, problem)


@require_http_methods(["GET", "POST"])
@member_view
def event_create(request: HttpRequest, member: Membership) -> HttpResponse:
    """Add an event (the slot clicked in the week fills in its day and time)."""
    if not access.can(member, "task", "create"):
        raise PermissionDenied(_("Your role may not add events."))
    if request.method != "POST":
        start = (
            parse_datetime(request.GET.get("start", "")[:16]) if request.GET.get("start") else None
        )
        start = start or datetime.combine(
            local_today(member.user.time_zone), datetime.min.time()
        ).replace(hour=9)
        initial = {
            "date": start.date(),
            "start": start.time(),
            "end": (start + timedelta(minutes=30)).time(),
            "kind": "meeting",
        }
        return _page(request, EventForm(initial=initial), None, 200, attendees_form(member))
    form = EventForm(request.POST)
    invite = attendees_form(member, request.POST)
    if form.is_valid() and invite.is_valid():
        try:
            event = attendees.create_event(
                member,
                _data(member, form),
                invite.wanted(),
                send=invite.cleaned_data["send_invitations"],
            )
        except ValidationError as exc:
            _errors(form, exc, invite)
        else:
            messages.success(request, _("The event is added."))
            return redirect(
                _week_url(event.starts_at.astimezone(zone(member.user.time_zone)).date())
            )
    return _page(request, form, None, 400, invite)


@require_http_methods(["GET", "POST"])
@member_view
def event_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Edit an event with date and time inputs (the keyboard and touch way to move it)."""
    event = events.get_event(member, pk)
    if request.method != "POST":
        local = event.starts_at.astimezone(zone(member.user.time_zone))
        end = event.ends_at.astimezone(zone(member.user.time_zone))
        initial = {
            "title": event.title,
            "kind": event.kind,
            "date": local.date(),
            "start": local.time(),
            "end": end.time(),
            "location": event.location,
            "version": event.version,
        }
        invite = attendees_form(member, wanted=attendees.wanted_of(event))
        return _page(request, EventForm(initial=initial), event, 200, invite)
    access.require(member, "task", "edit", event)
    form = EventForm(request.POST)
    invite = attendees_form(member, request.POST)
    if form.is_valid() and invite.is_valid():
        try:
            attendees.update_event(
                member,
                event,
                _data(member, form),
                invite.wanted(),
                expected_version=form.cleaned_data["version"] or 0,
                send=invite.cleaned_data["send_invitations"],
            )
        except VersionConflict:
            form.add_error(
                None, _("Someone changed this event meanwhile. Reload it and try again.")
            )
            return _page(request, form, event, 409, invite)
        except ValidationError as exc:
            _errors(form, exc, invite)
        else:
            messages.success(request, _("The event is saved."))
            return redirect(
                _week_url(event.starts_at.astimezone(zone(member.user.time_zone)).date())
            )
    return _page(request, form, event, 400, invite)


@require_POST
@member_view
def event_move(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Move an event to the slot it was dropped on, keeping its length."""
    event = events.get_event(member, pk, "edit")
    raw = request.POST.get("start", "")[:16]
    start = parse_datetime(raw) if len(raw) == 16 else None
    version = request.POST.get("version", "")
    if start is None or not version.isdigit() or not 1900 <= start.year <= 2999:
        return HttpResponse(
            _("Choose a slot."), status=400, content_type="text/plain; charset=utf-8"
        )
    moment = start.replace(tzinfo=zone(member.user.time_zone))
    try:
        events.move_event(member, event, moment, expected_version=int(version[:9]))
    except VersionConflict:
        return HttpResponse(
            _("Someone changed this event meanwhile. Reload and try again."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    return redirect(_week_url(moment.date()))
