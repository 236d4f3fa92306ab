"""Import an .ics file onto the member's calendar.

Choices (see docs/architecture.md):
- Per event: a good VEVENT is imported, a bad one (no or unreadable DTSTART, end
  before start, too long) is reported with its reason and skipped; a file that is
  not iCalendar at all imports nothing. All writes happen in one transaction.
- A VEVENT whose UID was imported before is skipped, unless its SEQUENCE is higher:
  then the event is updated. Events that came from Amity itself (UID "…@amity") are
  recognised and skipped.
- Repeating events (RRULE): only the first occurrence is imported, and the report
  says so for each one.
- Times with a TZID are converted with that zone; floating times are read in the
  member's zone; all-day dates become local midnights like events made here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import icalendar
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amity.activities import events
from amity.activities.models import Event
from amity.activities.recurrence import zone
from amity.core import access, audit
from amity.core.models import Membership

MAX_BYTES = 2 * 1024 * 1024
MAX_EVENTS = 2000
DEFAULT_LENGTH = timedelta(minutes=30)


class NotICalendar(ValueError):
    """The file is not an iCalendar file (nothing is imported)."""


@dataclass
class Problem:
    title: str
    reason: str


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


@dataclass
class Parsed:
    uid: str
    sequence: int
    values: dict[str, Any]
    repeats: bool


def _moment(value: Any, tz: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    raise ValueError(what)


def _parse(component: icalendar.Event, tz: Any) -> Parsed:
    title = " ".join(str(component.get("summary", "")).split())[:200] or _("(no title)")
    start_prop = component.get("dtstart")
    if start_prop is None:
        raise ValueError(_("It has no start (DTSTART)."))
    try:
        start = component.decoded("dtstart")
    except (ValueError, TypeError, KeyError):
        raise ValueError(_("Its start (DTSTART) cannot be read.")) from None
    end: Any = None
    try:
        if component.get("dtend") is not None:
            end = component.decoded("dtend")
        elif component.get("duration") is not None:
            end = start + component.decoded("duration")
    except (ValueError, TypeError, KeyError):
        raise ValueError(_("Its end (DTEND) cannot be read.")) from None
    all_day = isinstance(start, date) and not isinstance(start, datetime)
    if all_day:
        last = end if isinstance(end, date) and not isinstance(end, datetime) else None
        starts_at = datetime.combine(start, time(0), tzinfo=tz)
        ends_at = datetime.combine(last or start + timedelta(days=1), time(0), tzinfo=tz)
    else:
        starts_at = _moment(start, tz, _("Its start (DTSTART) cannot be read."))
        ends_at = (
            _moment(end, tz, _("Its end (DTEND) cannot be read."))
            if end is not None
            else starts_at + DEFAULT_LENGTH
        )
    if not 1900 <= starts_at.year <= 2999:
        raise ValueError(_("Its start (DTSTART) is out of range."))
    values = {
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": all_day,
        "location": " ".join(str(component.get("location", "")).split())[:300],
        "kind": "meeting",
    }
    try:
        sequence = int(component.get("sequence", 0))
    except (TypeError, ValueError):
        sequence = 0
    uid = str(component.get("uid", "")).strip()[:255]
    return Parsed(uid, max(sequence, 0), values, component.get("rrule") is not None)


def _read(data: bytes) -> list[icalendar.Event]:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise NotICalendar(str(exc)[:200]) from None
    if calendar.name != "VCALENDAR":
        raise NotICalendar(calendar.name)
    return [c for c in calendar.walk("VEVENT") if isinstance(c, icalendar.Event)]


@transaction.atomic
def import_file(member: Membership, data: bytes) -> Report:
    """Import the VEVENTs of an .ics file as the member's events; return what happened."""
    if not access.can(member, "task", "create"):
        raise PermissionDenied(_("Your role may not add events."))
    if len(data) > MAX_BYTES:
        raise NotICalendar(_("The file is larger than 2 MB."))
    components = _read(data)
    if len(components) > MAX_EVENTS:
        raise NotICalendar(_("The file has more than %(n)d events.") % {"n": MAX_EVENTS})
    tz = zone(member.user.time_zone)
    report = Report()
    for component in components:
        _import_one(member, component, tz, report)
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="event_import",
        object_repr=_("calendar import"),
        changes={"created": [0, report.created], "updated": [0, report.updated]},
    )
    return report


def _import_one(member: Membership, component: icalendar.Event, tz: Any, report: Report) -> None:
    title = str(component.get("summary", "")).strip()[:200] or _("(no title)")
    try:
        parsed = _parse(component, tz)
    except ValueError as exc:
        report.problems.append(Problem(title, str(exc) or _("It cannot be read.")))
        return
    own_uid = _uuid(parsed.uid)
    if (
        own_uid is not None
        and Event.objects.filter(workspace_id=member.workspace_id, uid=own_uid).exists()
    ):
        report.skipped += 1
        return
    existing = (
        Event.objects.filter(
            workspace_id=member.workspace_id,
            owner_id=member.user_id,
            external_uid=parsed.uid,
            deleted_at=None,
        ).first()
        if parsed.uid
        else None
    )
    try:
        with transaction.atomic():
            if existing is None:
                event = events.create_event(member, parsed.values)
                Event.objects.filter(pk=event.pk, workspace_id=member.workspace_id).update(
                    external_uid=parsed.uid, sequence=parsed.sequence
                )
                report.created += 1
            elif parsed.sequence > existing.sequence:
                events.update_event(
                    member,
                    existing,
                    parsed.values,
                    expected_version=existing.version,
                    send_invitations=False,
                )
                Event.objects.filter(pk=existing.pk, workspace_id=member.workspace_id).update(
                    sequence=parsed.sequence
                )
                report.updated += 1
            else:
                report.skipped += 1
                return
    except ValidationError as exc:
        reasons = [str(m) for messages in exc.message_dict.values() for m in messages]
        report.problems.append(Problem(parsed.values["title"], " ".join(reasons)))
        return
    if parsed.repeats:
        report.notes.append(
            Problem(parsed.values["title"], _("It repeats; only its first occurrence is imported."))
        )


def _uuid(uid: str) -> uuid.UUID | None:
    """Return the Amity event UUID of a UID made here ("<uuid>@amity"), else None."""
    if not uid.endswith("@amity"):
        return None
    try:
        return uuid.UUID(uid.removesuffix("@amity"))
    except ValueError:
        return None
