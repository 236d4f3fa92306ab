"""Who attends an event: members, customer people (their primary email) and plain emails.

Saving an event with its attendees, and cancelling one, also tells the attendees
(activities.invitations): an .ics by email outside the workspace, the bell inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import events, invitations, reminders
from amity.activities.models import Event, EventAttendee
from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, User
from amity.customers.models import Person

MAX_ATTENDEES = 100
# The fields whose change attendees must hear about (a new iCalendar SEQUENCE).
RESCHEDULING = ("title", "starts_at", "ends_at", "location", "all_day")


@dataclass
class Wanted:
    """The attendees asked for, by kind; resolved against the workspace by `resolve`."""

    users: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


@dataclass
class Row:
    email: str
    name: str
    user_id: int | None = None
    person_id: int | None = None


@dataclass
class Diff:
    added: list[EventAttendee]
    kept: list[EventAttendee]
    removed: list[EventAttendee]


def attendees_of(event: Event) -> list[EventAttendee]:
    return list(
        EventAttendee.objects.filter(workspace_id=event.workspace_id, event_id=event.pk).order_by(
            "id"
        )
    )


def wanted_of(event: Event) -> Wanted:
    """Return an event's present attendees as a `Wanted` (the form's and API's starting point)."""
    wanted = Wanted()
    for attendee in attendees_of(event):
        if attendee.user_id is not None:
            wanted.users.append(attendee.user_id)
        elif attendee.person_id is not None:
            wanted.people.append(attendee.person_id)
        else:
            wanted.emails.append(attendee.email)
    return wanted


def _clean_emails(raw: list[str]) -> list[str]:
    cleaned = []
    for value in raw:
        email = value.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"attendees": _("%(email)s is not an email address.") % {"email": email[:80]}}
            ) from None
        cleaned.append(email)
    return cleaned


def resolve(member: Membership, wanted: Wanted) -> list[Row]:
    """Return the attendee rows for what was asked, or raise ValidationError on "attendees"."""
    rows: dict[str, Row] = {}
    user_ids = set(wanted.users) - {member.user_id}  # the organizer is there anyway
    users = User.objects.filter(
        pk__in=user_ids,
        memberships__workspace_id=member.workspace_id,
        memberships__is_active=True,
    ).only("id", "email", "full_name")
    found = {user.pk: user for user in users}
    if set(found) != user_ids:
        raise ValidationError({"attendees": _("Choose members of this workspace.")})
    for user in found.values():
        rows[user.email.lower()] = Row(user.email.lower(), user.full_name, user_id=user.pk)
    people = access.visible(member, Person).filter(pk__in=set(wanted.people))
    people_found = {
        person.pk: person for person in people.only("id", "first_name", "last_name", "email")
    }
    if set(people_found) != set(wanted.people):
        raise ValidationError({"attendees": _("Choose people you may see.")})
    for person in people_found.values():
        if not person.email:
            raise ValidationError(
                {"attendees": _("%(name)s has no email address.") % {"name": person.full_name}}
            )
        rows.setdefault(
            person.email.lower(), Row(person.email.lower(), person.full_name, person_id=person.pk)
        )
    for email in _clean_emails(wanted.emails):
        rows.setdefault(email, Row(email, ""))
    if len(rows) > MAX_ATTENDEES:
        raise ValidationError(
            {"attendees": _("Invite at most %(n)d attendees.") % {"n": MAX_ATTENDEES}}
        )
    return list(rows.values())


def _store(member: Membership, event: Event, rows: list[Row]) -> Diff:
    present = {a.email: a for a in attendees_of(event)}
    wanted = {row.email: row for row in rows}
    removed = [a for email, a in present.items() if email not in wanted]
    if removed:
        EventAttendee.objects.filter(
            workspace_id=member.workspace_id, pk__in=[a.pk for a in removed]
        ).delete()
    added = EventAttendee.objects.bulk_create(
        EventAttendee(
            workspace_id=member.workspace_id,
            event=event,
            email=row.email,
            name=row.name,
            user_id=row.user_id,
            person_id=row.person_id,
        )
        for email, row in wanted.items()
        if email not in present
    )
    kept = [a for email, a in present.items() if email in wanted]
    return Diff(added=list(added), kept=kept, removed=removed)


def _names(attendees: list[EventAttendee]) -> str:
    return ", ".join(sorted(a.email for a in attendees))


@transaction.atomic
def create_event(member: Membership, data: dict[str, Any], wanted: Wanted, *, send: bool) -> Event:
    """Add an event with its attendees and invite them."""
    rows = resolve(member, wanted)
    event = events.create_event(member, data)
    diff = _store(member, event, rows)
    if diff.added:
        audit.record(
            audit.Action.UPDATE,
            workspace=member.workspace_id,
            actor=member.user,
            obj=event,
            object_type="event",
            changes={"attendees": ["", _names(diff.added)]},
        )
    invitations.announce(member, event, diff, rescheduled=False, send=send)
    return event


@transaction.atomic
def update_event(
    member: Membership,
    event: Event,
    data: dict[str, Any],
    wanted: Wanted | None,
    *,
    expected_version: int,
    send: bool,
) -> Event:
    """Change an event and maybe its attendees; tell those concerned."""
    rows = resolve(member, wanted) if wanted is not None else None
    before = attendees_of(event)
    sequence = event.sequence
    event = events.update_event(
        member, event, data, expected_version=expected_version, send_invitations=False
    )
    if rows is None:
        diff = Diff(added=[], kept=before, removed=[])
    else:
        diff = _store(member, event, rows)
        if diff.added or diff.removed:
            audit.record(
                audit.Action.UPDATE,
                workspace=member.workspace_id,
                actor=member.user,
                obj=event,
                object_type="event",
                changes={"attendees": [_names(before), _names(diff.kept + diff.added)]},
            )
    invitations.announce(member, event, diff, rescheduled=event.sequence > sequence, send=send)
    return event


def reschedules(event: Event, values: dict[str, Any]) -> bool:
    """Return whether new values change what attendees have in their calendars."""
    return any(name in values and getattr(event, name) != values[name] for name in RESCHEDULING)


@transaction.atomic
def cancel_event(member: Membership, event: Event, *, expected_version: int, send: bool) -> None:
    """Delete an event; its attendees get a cancellation (METHOD:CANCEL) or a notification."""
    if not access.can(member, "task", "delete", event):
        raise PermissionDenied(_("Your role may not delete this event."))
    now = timezone.now()
    if not Event.objects.filter(
        pk=event.pk, workspace_id=member.workspace_id, version=expected_version, deleted_at=None
    ).update(deleted_at=now, version=F("version") + 1, sequence=F("sequence") + 1, updated_at=now):
        raise VersionConflict(
            Event.objects.filter(pk=event.pk, workspace_id=member.workspace_id).first()
        )
    event.deleted_at, event.updated_at = now, now
    event.version, event.sequence = expected_version + 1, event.sequence + 1
    reminders.follow_event(event)
    audit.record(
        audit.Action.DELETE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=event,
        object_type="event",
    )
    invitations.announce_cancellation(member, event, attendees_of(event), send=send)


def announce_update(member: Membership, event: Event) -> None:
    """Send every attendee the new version of a rescheduled event."""
    diff = Diff(added=[], kept=attendees_of(event), removed=[])
    invitations.announce(member, event, diff, rescheduled=True, send=True)


def member_attendees(event: Event) -> list[int]:
    """The workspace users attending an event: they hear its reminders too."""
    return list(
        EventAttendee.objects.filter(
            workspace_id=event.workspace_id, event_id=event.pk, user_id__isnull=False
        ).values_list("user_id", flat=True)
    )


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Unlink events from records about to be deleted for good; drop the people's invitations."""
    field = "person_id__in" if subject_type == "person" else "company_id__in"
    related = "person" if subject_type == "person" else "company"
    Event.objects.filter(workspace_id=workspace_id, **{field: ids}).update(**{related: None})
    if subject_type == "person":
        EventAttendee.objects.filter(workspace_id=workspace_id, person_id__in=ids).delete()


def export_attendance(person: Person) -> list[dict[str, Any]]:
    """Return the events the person is invited to (data-subject access)."""
    rows = (
        EventAttendee.objects.filter(workspace_id=person.workspace_id, person_id=person.pk)
        .select_related("event")
        .order_by("event__starts_at", "id")
    )
    return [
        {
            "event": a.event.title,
            "starts_at": a.event.starts_at.isoformat(),
            "email": a.email,
            "response": a.response,
        }
        for a in rows
    ]


def erase_attendance(person: Person, by: User | None) -> int:
    """Take the person off every event's attendee list."""
    count, _ = EventAttendee.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk
    ).delete()
    return count
