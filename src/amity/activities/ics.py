"""iCalendar (RFC 5545) output: the subscription feed, and invitations (RFC 5546 iTIP).

Times go out in UTC ("Z"), so no VTIMEZONE is needed; all-day events go out as
VALUE=DATE in the organizer's zone, where their midnights were set.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import icalendar

from amity.activities.models import Event, EventAttendee, Task
from amity.activities.recurrence import zone
from amity.core.models import User

PRODID = "-//Amity//Amity CRM//EN"
PARTSTAT: dict[str, str] = {
    EventAttendee.Response.NEEDS_ACTION: "NEEDS-ACTION",
    EventAttendee.Response.ACCEPTED: "ACCEPTED",
    EventAttendee.Response.DECLINED: "DECLINED",
    EventAttendee.Response.TENTATIVE: "TENTATIVE",
}


def event_uid(event: Event) -> str:
    return f"{event.uid}@amity"


def task_uid(task: Task) -> str:
    return f"task-{task.uid}@amity"


def new_calendar(*, method: str = "", name: str = "") -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def all_day_dates(event: Event) -> tuple[date, date]:
    """Return the first day and the day after the last of an all-day event."""
    tz = zone(event.owner.time_zone if event.owner else "UTC")
    first = event.starts_at.astimezone(tz).date()
    after = event.ends_at.astimezone(tz).date()
    return first, max(after, first + timedelta(days=1))


def _address(email: str, name: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = icalendar.vText(name)
    return address


def _attendee(attendee: EventAttendee, *, rsvp: bool) -> icalendar.vCalAddress:
    address = _address(attendee.email, attendee.name)
    address.params["cutype"] = "INDIVIDUAL"
    address.params["role"] = "REQ-PARTICIPANT"
    address.params["partstat"] = PARTSTAT.get(attendee.response, "NEEDS-ACTION")
    if rsvp:
        address.params["rsvp"] = "TRUE"
    return address


def vevent(
    event: Event,
    attendees: Iterable[EventAttendee] = (),
    *,
    stamp: datetime,
    cancelled: bool = False,
    rsvp: bool = False,
) -> icalendar.Event:
    """Return the VEVENT of an event; `stamp` is its DTSTAMP."""
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", _utc(stamp))
    component.add("sequence", event.sequence)
    component.add("summary", event.title)
    if event.all_day:
        first, after = all_day_dates(event)
        component.add("dtstart", first)
        component.add("dtend", after)
        component.add("transp", "TRANSPARENT")
    else:
        component.add("dtstart", _utc(event.starts_at))
        component.add("dtend", _utc(event.ends_at))
    if event.location:
        component.add("location", event.location)
        if event.location.startswith(("https://", "http://")):
            component.add("url", event.location)
    component.add("categories", [event.get_kind_display()])
    component.add("last-modified", _utc(event.updated_at))
    component.add("created", _utc(event.created_at))
    owner: User | None = event.owner
    if owner is not None:
        component.add("organizer", _address(owner.email, owner.full_name))
    for attendee in attendees:
        component.add("attendee", _attendee(attendee, rsvp=rsvp))
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return component


def task_vevent(task: Task, *, summary: str, description: str) -> icalendar.Event:
    """Return a task's due day as an all-day VEVENT (Google ignores VTODO), free time."""
    component = icalendar.Event()
    component.add("uid", task_uid(task))
    component.add("dtstamp", _utc(task.updated_at))
    component.add("sequence", task.version)
    component.add("summary", summary)
    component.add("description", description)
    component.add("dtstart", task.due_date)
    component.add("dtend", task.due_date + timedelta(days=1))
    component.add("transp", "TRANSPARENT")
    component.add("categories", ["Task"])
    component.add("last-modified", _utc(task.updated_at))
    return component


def invitation(
    event: Event, attendees: Iterable[EventAttendee], *, method: str, stamp: datetime
) -> bytes:
    """Return an iTIP message: METHOD:REQUEST (invite or update) or METHOD:CANCEL."""
    calendar = new_calendar(method=method)
    calendar.add_component(
        vevent(
            event,
            attendees,
            stamp=stamp,
            cancelled=method == "CANCEL",
            rsvp=method == "REQUEST",
        )
    )
    return bytes(calendar.to_ical())
