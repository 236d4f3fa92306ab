"""Calendar events: verbs and the week's reads. Events use the task grants (organizer = owner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import reminders
from amity.activities.models import Event
from amity.activities.recurrence import zone
from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership

FIRST_HOUR, LAST_HOUR = 7, 20  # the hours the week view shows
SLOT = timedelta(minutes=30)
SLOTS = (LAST_HOUR - FIRST_HOUR) * 2
WORKING = (8, 17)


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
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        errors["starts_at"] = _("Enter when it starts and ends.")
    elif ends <= starts:
        errors["ends_at"] = _("End it after it starts.")
    elif ends - starts > timedelta(days=14):
        errors["ends_at"] = _("Keep an event under two weeks.")
    kind = data.get("kind") or Event.Kind.MEETING
    if kind not in Event.Kind.values:
        errors["kind"] = _("Choose a meeting or a call.")
    location = str(data.get("location") or "").strip()
    if len(location) > 300 or "\x00" in location:
        errors["location"] = _("Use at most %(n)d characters.") % {"n": 300}
    if errors:
        raise ValidationError(errors)
    return {
        "title": title[:200],
        "starts_at": starts,
        "ends_at": ends,
        "kind": kind,
        "location": location,
    }


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
    member: Membership, event: Event, data: dict[str, Any], *, expected_version: int
) -> Event:
    """Change an event if it is still at `expected_version` (moving it keeps nothing else)."""
    access.require(member, "task", "edit", event)
    values = _clean(data)
    now = timezone.now()
    if not Event.objects.filter(
        pk=event.pk, workspace_id=member.workspace_id, version=expected_version, deleted_at=None
    ).update(**values, version=F("version") + 1, updated_at=now):
        raise VersionConflict(
            Event.objects.filter(pk=event.pk, workspace_id=member.workspace_id).first()
        )
    changes = {
        k: [str(getattr(event, k)), str(v)] for k, v in values.items() if getattr(event, k) != v
    }
    for name, value in values.items():
        setattr(event, name, value)
    event.version, event.updated_at = expected_version + 1, now
    reminders.follow_event(event)
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=event,
        object_type="event",
        changes=changes,
    )
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
        "starts_at": starts_at,
        "ends_at": starts_at + length,
    }
    return update_event(member, event, data, expected_version=expected_version)


@dataclass
class Placed:
    event: Event
    row: int  # the half-hour slot it starts in, from FIRST_HOUR
    span: int  # how many slots it covers (at least one)


@dataclass
class Day:
    date: date
    slots: list[datetime]
    events: list[Placed]


def week(member: Membership, any_day: date) -> list[Day]:
    """Return the member's events of the week (Monday first) around a day, placed on slots."""
    tz = zone(member.user.time_zone)
    monday = any_day - timedelta(days=any_day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = start + timedelta(days=7)
    rows = list(
        access.visible(member, Event)
        .filter(owner_id=member.user_id, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "id")
    )
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        first = datetime.combine(day, time(FIRST_HOUR), tzinfo=tz)
        slots = [first + SLOT * n for n in range(SLOTS)]
        placed = []
        for event in rows:
            local = event.starts_at.astimezone(tz)
            if local.date() != day:
                continue
            row = int((local - first) / SLOT)
            row = min(max(row, 0), SLOTS - 1)
            span = max(1, -(-int((event.ends_at - event.starts_at) / timedelta(minutes=1)) // 30))
            placed.append(Placed(event, row, min(span, SLOTS - row)))
        days.append(Day(day, slots, placed))
    return days
