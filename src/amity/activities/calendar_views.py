"""The calendar: a day, week, month or agenda of the member's (or a team's) events; add an
event by clicking a slot, edit it, move it and change its end by drag or keyboard."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.activities import attendees, events
from amity.activities import calendar_layout as layout
from amity.activities.attendee_forms import AttendeesForm, attendees_form
from amity.activities.calendar_forms import WorkingHoursForm
from amity.activities.models import Event
from amity.activities.recurrence import local_today, zone
from amity.activities.task_forms import EventForm
from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, Team, User
from amity.customers.forms import member_users
from amity.customers.views import member_view


def _day(value: str | None, member: Membership) -> date:
    try:
        found = parse_date(value or "") if value and len(value) == 10 else None
    except ValueError:  # well formed but no such day (2026-13-45)
        found = None
    return found if found and 1900 <= found.year <= 2999 else local_today(member.user.time_zone)


def _wall_clock(raw: str) -> datetime | None:
    """Return a posted "YYYY-MM-DDTHH:MM" as a naive datetime, or None if it is not one."""
    try:
        found = parse_datetime(raw[:16]) if len(raw) >= 16 else None
    except ValueError:
        return None
    return found if found and 1900 <= found.year <= 2999 else None


def _week_url(day: date) -> str:
    return f"{reverse('activities:calendar')}?date={day.isoformat()}"


VIEWS = ("day", "week", "month", "agenda")
TEAM_LIMIT = 8  # members shown side by side


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 10]


def _owners(request: HttpRequest, member: Membership) -> tuple[list[User], Team | None, bool]:
    """Return whose calendars to show (the member's own unless a team or members are picked)."""
    team_id = _ids([request.GET.get("team", "")])
    wanted = _ids(request.GET.getlist("member"))[:TEAM_LIMIT]
    if not team_id and not wanted:
        return [member.user], None, False
    active = Membership.objects.filter(workspace_id=member.workspace_id, is_active=True)
    team = (
        Team.objects.filter(workspace_id=member.workspace_id, pk=team_id[0]).first()
        if team_id
        else None
    )
    if team is not None:
        active = active.filter(team_id=team.pk)
    else:
        active = active.filter(user_id__in=wanted)
    users = [m.user for m in active.select_related("user").order_by("user__full_name", "user_id")]
    return users[:TEAM_LIMIT], team, True


def _keep(request: HttpRequest) -> str:
    """Return the picked team or members as query parameters ("&team=3"), to keep on links."""
    params: list[tuple[str, str]] = []
    params += [("team", str(t)) for t in _ids([request.GET.get("team", "")])]
    params += [("member", str(m)) for m in _ids(request.GET.getlist("member"))[:TEAM_LIMIT]]
    return "&" + urlencode(params) if params else ""


def _query(view: str, day: date, request: HttpRequest) -> str:
    return f"?view={view}&date={day.isoformat()}{_keep(request)}"


def _step(view: str, day: date, direction: int) -> date:
    if view == "month":
        return _add_months(day.replace(day=1), direction)
    return day + timedelta(
        days={"day": 1, "week": 7, "agenda": layout.AGENDA_DAYS}[view] * direction
    )


def _title(view: str, day: date, days: list[date]) -> str:
    if view == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    if view == "day":
        return date_format(day, "l j F Y")
    return f"{date_format(days[0], 'j M')} – {date_format(days[-1], 'j M Y')}"


@require_GET
@member_view
def calendar(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show a day, a week, a month or the coming weeks; the member's or several members'."""
    view = request.GET.get("view", "week")
    view = view if view in VIEWS else "week"
    day = _day(request.GET.get("date"), member)
    owners, team, is_team = _owners(request, member)
    labels = {"day": _("Day"), "week": _("Week"), "month": _("Month"), "agenda": _("Agenda")}
    cal = layout.Calendars(member, zone(member.user.time_zone), owners)
    hours = layout.hours_of(member)
    context: dict[str, Any] = {
        "view": view,
        "date": day,
        "today": local_today(member.user.time_zone),
        "may_create": access.can(member, "task", "create") and not is_team,
        "is_team": is_team,
        "team": team,
        "owners": owners,
        "hours": hours,
        "views": [(v, labels[v], _query(v, day, request)) for v in VIEWS],
        "keep": _keep(request),
        "may_edit": access.can(member, "task", "edit") and not is_team,
        "prev": _query(view, _step(view, day, -1), request),
        "next": _query(view, _step(view, day, 1), request),
        "this": _query(view, local_today(member.user.time_zone), request),
    }
    days = [day]
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        days = [monday + timedelta(days=n) for n in range(7)]
    if view in ("day", "week"):
        items = layout.fetch(cal, days[0], days[-1])
        columns = layout.time_columns(cal, days, hours, items, by_member=is_team and view == "day")
        context |= {
            "columns": columns,
            "chips": layout.all_day_chips(columns, items),
            "times": [f"{n // 2:02d}:{30 * (n % 2):02d}" for n in range(layout.QUARTERS // 2)],
        }
    elif view == "month":
        first = day.replace(day=1)
        context |= {"weeks": layout.month(cal, first), "weekdays": days_of_week(first)}
    else:
        agenda = layout.agenda(cal, day)
        context |= {
            "agenda": agenda,
            "later": _query("agenda", agenda.last + timedelta(days=1), request),
        }
    context |= {
        "teams": list(Team.objects.filter(workspace_id=member.workspace_id).order_by("name")),
        "members": list(member_users(member)),
        "picked": {u.pk for u in owners} if is_team and team is None else set(),
    }
    context["heading"] = _title(view, day, days)
    return render(request, "activities/calendar.html", context)


def days_of_week(first: date) -> list[date]:
    monday = first - timedelta(days=first.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


@require_http_methods(["GET", "POST"])
@member_view
def working_hours(request: HttpRequest, member: Membership) -> HttpResponse:
    """Set the member's working hours (shaded outside, and where the day and week open)."""
    hours = layout.hours_of(member)
    form = WorkingHoursForm(
        request.POST or None,
        initial={
            "day_starts": hours.starts,
            "day_ends": hours.ends,
            "weekdays": list(hours.weekdays),
        },
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            events.set_working_hours(member, c["day_starts"], c["day_ends"], "".join(c["weekdays"]))
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("Your working hours are saved."))
            return redirect("activities:calendar")
    response = render(request, "activities/working_hours.html", {"form": form})
    response.status_code = 400 if form.errors else 200
    return response


def _data(member: Membership, form: EventForm) -> dict[str, Any]:
    """Return the service's data from the form (ValidationError: a last day before the first)."""
    c = form.cleaned_data
    if c["all_day"]:
        starts, ends = events.all_day_bounds(member, c["date"], c["end_date"])
    else:
        starts = events.local_moment(member, c["date"], c["start"])
        ends = events.local_moment(member, c["date"], c["end"])
    return {
        "title": c["title"],
        "kind": c["kind"],
        "location": c["location"],
        "all_day": c["all_day"],
        "starts_at": starts,
        "ends_at": ends,
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
        if form.cleaned_data.get("all_day") and name in ("starts_at", "ends_at"):
            field = "date" if name == "starts_at" else "end_date"
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
        start = _wall_clock(request.GET.get("start", "")) or datetime.combine(
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
            "all_day": event.all_day,
            "date": local.date(),
            "end_date": (end - timedelta(days=1)).date() if event.all_day else None,
            "start": None if event.all_day else local.time(),
            "end": None if event.all_day else end.time(),
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
    start = _wall_clock(request.POST.get("start", ""))
    version = request.POST.get("version", "")
    if start is None or not (version.isascii() and version.isdigit()):
        return HttpResponse(
            _("Choose a slot."), status=400, content_type="text/plain; charset=utf-8"
        )
    moment = start.replace(tzinfo=zone(member.user.time_zone))
    try:
        events.move_event(member, event, moment, expected_version=int(version[:9]))
    except VersionConflict:
        return _conflict()
    except ValidationError as exc:
        return HttpResponse(
            " ".join(exc.messages), status=422, content_type="text/plain; charset=utf-8"
        )
    return redirect(_week_url(moment.date()))


def _conflict() -> HttpResponse:
    return HttpResponse(
        _("Someone changed this event meanwhile. Reload and try again."),
        status=409,
        content_type="text/plain; charset=utf-8",
    )


@require_POST
@member_view
def event_resize(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Give an event a new end (dragged or keyed), snapped to the quarter hour."""
    event = events.get_event(member, pk, "edit")
    end = _wall_clock(request.POST.get("end", ""))
    version = request.POST.get("version", "")
    if end is None or not (version.isascii() and version.isdigit()):
        return HttpResponse(
            _("Choose when it ends."), status=400, content_type="text/plain; charset=utf-8"
        )
    moment = end.replace(tzinfo=zone(member.user.time_zone))
    try:
        events.resize_event(member, event, moment, expected_version=int(version[:9]))
    except VersionConflict:
        return _conflict()
    except ValidationError as exc:
        return HttpResponse(
            " ".join(exc.messages), status=422, content_type="text/plain; charset=utf-8"
        )
    return redirect(_week_url(event.starts_at.astimezone(zone(member.user.time_zone)).date()))
