"""Calendar events: verbs and the week's reads. Events use the task grants (organizer = owner)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import reminders
from amity.activities.models import CalendarSettings, Event
from amity.activities.recurrence import zone
from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership

LONGEST_ALL_DAY = timedelta(days=366)


def local_moment(member: Membership, day: date, at: time) -> datetime:
    """Return the aware moment of a wall-clock time on a day in the member's zone."""
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone(member.user.time_zone))


def get_event(member: Membership, pk: Any, action: str = "view") -> Event:
    event: Event = access.get_for_user(member, Event, pk, action)
    return event


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    title = " ".join(str(data.get("title") or "").split())
    errors: dict[str, str] = {}
    if not title or "\x00" in title:
        errors["title"] = _("Give the event a title.")
    starts, ends = data.get("starts_at"), data.get("ends_at")
    all_day = bool(data.get("all_day"))
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        errors["starts_at"] = _("Enter when it starts and ends.")
    elif ends <= starts:
        errors["ends_at"] = _("End it after it starts.")
    elif ends - starts > (LONGEST_ALL_DAY if all_day else timedelta(days=14)):
        errors["ends_at"] = (
            _("Keep an all-day event under a year.")
            if all_day
            else _("Keep an event under two weeks.")
        )
    kind = data.get("kind") or Event.Kind.MEETING
    if kind not in Event.Kind.values:
        errors["kind"] = _("Choose a meeting or a call.")
    location = str(data.get("location") or "").strip()
    if len(location) > 300 or "\x00" in location:
        errors["location"] = _("Use at most %(n)d characters.") % {"n": 300}
    if errors:
        raise ValidationError(errors)
    cleaned = {
        "title": title[:200],
        "starts_at": starts,
        "ends_at": ends,
        "kind": kind,
        "location": location,
        "all_day": all_day,
    }
    if "all_day" in data:  # callers that do not know about all-day leave it as it is
        cleaned["all_day"] = bool(data["all_day"])
    return cleaned


def all_day_bounds(member: Membership, first: date, last: date) -> tuple[datetime, datetime]:
    """Return the moments an all-day event from `first` to `last` (inclusive) covers.

    They are the first day's midnight and the midnight after the last day in the
    member's zone; a last day before the first is an error on "end_date".
    """
    if last < first:
        raise ValidationError({"end_date": _("End on or after the first day.")})
    tz = zone(member.user.time_zone)
    return (
        datetime.combine(first, time(0), tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
    )


@transaction.atomic
def create_event(member: Membership, data: dict[str, Any]) -> Event:
    """Put an event on the member's own calendar."""
    if not access.can(member, "task", "create"):
        raise PermissionDenied(_("Your role may not add events."))
    event = Event.objects.create(
        workspace_id=member.workspace_id, owner_id=member.user_id, **_clean(data)
    )
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=event,
        object_type="event",
    )
    return event


@transaction.atomic
def update_event(
    member: Membership,
    event: Event,
    data: dict[str, Any],
    *,
    expected_version: int,
    send_invitations: bool = True,
) -> Event:
    """Change an event if it is still at `expected_version` (moving it keeps nothing else).

    A change of time, place or title raises its iCalendar SEQUENCE and, unless
    `send_invitations` is off, sends the attendees the update.
    """
    from amity.activities import attendees

    access.require(member, "task", "edit", event)
    values = _clean(data)
    now = timezone.now()
    bump = int(attendees.reschedules(event, values))
    if not Event.objects.filter(
        pk=event.pk, workspace_id=member.workspace_id, version=expected_version, deleted_at=None
    ).update(**values, version=F("version") + 1, sequence=F("sequence") + bump, updated_at=now):
        raise VersionConflict(
            Event.objects.filter(pk=event.pk, workspace_id=member.workspace_id).first()
        )
    changes = {
        k: [str(getattr(event, k)), str(v)] for k, v in values.items() if getattr(event, k) != v
    }
    for name, value in values.items():
        setattr(event, name, value)
    event.version, event.updated_at = expected_version + 1, now
    event.sequence += bump
    reminders.follow_event(event)
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=event,
        object_type="event",
        changes=changes,
    )
    if bump and send_invitations:
        attendees.announce_update(member, event)
    return event


def move_event(
    member: Membership, event: Event, starts_at: datetime, *, expected_version: int
) -> Event:
    """Move an event to a new start, keeping its length."""
    length = event.ends_at - event.starts_at
    data = {
        "title": event.title,
        "kind": event.kind,
        "location": event.location,
        "all_day": event.all_day,
        "starts_at": starts_at,
        "ends_at": starts_at + length,
    }
    return update_event(member, event, data, expected_version=expected_version)


def snap(moment: datetime) -> datetime:
    """Round a moment to the nearest quarter hour (what resizing by drag lands on)."""
    minutes = moment.minute + moment.second / 60
    quarters = round(minutes / 15)
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=15 * quarters)


def resize_event(
    member: Membership, event: Event, ends_at: datetime, *, expected_version: int
) -> Event:
    """Give a timed event a new end, snapped to the quarter hour; the start stays."""
    if event.all_day:
        raise ValidationError({"ends_at": _("Change an all-day event's days in its form.")})
    data = {
        "title": event.title,
        "kind": event.kind,
        "location": event.location,
        "starts_at": event.starts_at,
        "ends_at": snap(ends_at),
    }
    return update_event(member, event, data, expected_version=expected_version)


@transaction.atomic
def set_working_hours(member: Membership, starts: time, ends: time, weekdays: str) -> None:
    """Keep the member's working hours (what the calendar shades and opens at)."""
    if ends <= starts:
        raise ValidationError({"day_ends": _("End the working day after it starts.")})
    days = "".join(sorted({d for d in weekdays if d in "0123456"}))
    CalendarSettings.objects.update_or_create(
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        defaults={"day_starts": starts, "day_ends": ends, "weekdays": days},
    )
