"""Telling attendees: an email with an .ics (iTIP REQUEST/CANCEL) outside, the bell inside."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from amity.activities import ics
from amity.activities.models import Event, EventAttendee
from amity.activities.recurrence import zone
from amity.core import notifications, outbox
from amity.core.models import Membership

if TYPE_CHECKING:
    from amity.activities.attendees import Diff


def _when(event: Event) -> str:
    tz = zone(event.owner.time_zone if event.owner else "UTC")
    if event.all_day:
        first, after = ics.all_day_dates(event)
        last = after.toordinal() - 1
        days = formats.date_format(first, "DATE_FORMAT")
        if last != first.toordinal():
            days += " – " + formats.date_format(type(first).fromordinal(last), "DATE_FORMAT")
        return days + " (" + _("all day") + ")"
    start = event.starts_at.astimezone(tz)
    end = event.ends_at.astimezone(tz)
    when = formats.date_format(start, "DATETIME_FORMAT")
    return f"{when} – {formats.time_format(end, 'TIME_FORMAT')} ({tz.key})"


def _email(
    event: Event, attendee: EventAttendee, everyone: list[EventAttendee], method: str
) -> None:
    organizer = event.owner
    who = organizer.full_name or organizer.email if organizer else _("Someone")
    if method == "CANCEL":
        subject = _("Cancelled: %(title)s") % {"title": event.title}
        lead = _("%(who)s has cancelled this event.") % {"who": who}
    elif event.sequence:
        subject = _("Updated invitation: %(title)s") % {"title": event.title}
        lead = _("%(who)s has changed this event.") % {"who": who}
    else:
        subject = _("Invitation: %(title)s") % {"title": event.title}
        lead = _("%(who)s invites you to this event.") % {"who": who}
    lines = [lead, "", event.title, _("When: %(when)s") % {"when": _when(event)}]
    if event.location:
        lines.append(_("Where: %(where)s") % {"where": event.location})
    lines += ["", _("Open the attached invite.ics to update your calendar.")]
    attachment = ics.invitation(event, everyone, method=method, stamp=timezone.now())
    outbox.queue_email(
        to=[attendee.email],
        subject=subject[:200],
        body="\n".join(lines) + "\n",
        workspace_id=event.workspace_id,
        attachments=[
            outbox.Attachment("invite.ics", attachment, f"text/calendar; method={method}")
        ],
        reply_to=[organizer.email] if organizer else None,
    )


def _notify(member: Membership, event: Event, users: Iterable[int], kind: str) -> None:
    ids = set(users) - {member.user_id}
    if not ids:
        return
    recipients = Membership.objects.filter(
        workspace_id=member.workspace_id, user_id__in=ids, is_active=True
    ).select_related("user")
    who = member.user.full_name or member.user.email
    for recipient in recipients:
        with notifications.in_language_of(recipient.user):
            texts = {
                "invited": _("%(who)s invited you to %(title)s, %(when)s"),
                "changed": _("%(who)s changed %(title)s, now %(when)s"),
                "removed": _("%(who)s took you off %(title)s"),
                "cancelled": _("%(who)s cancelled %(title)s, %(when)s"),
            }
            text = texts[kind] % {"who": who, "title": event.title, "when": _when(event)}
        url = "" if kind in {"removed", "cancelled"} else event.get_absolute_url()
        notifications.notify(recipient, kind="event", text=text, url=url, actor=member.user)


def _send(
    event: Event, to: list[EventAttendee], everyone: list[EventAttendee], method: str
) -> None:
    external = [a for a in to if a.is_external]
    if not external:
        return
    language = notifications.in_language_of(event.owner) if event.owner else nullcontext()
    with language:
        for attendee in external:
            _email(event, attendee, everyone, method)
    EventAttendee.objects.filter(
        workspace_id=event.workspace_id, pk__in=[a.pk for a in external]
    ).update(invited_at=timezone.now())


def announce(
    member: Membership, event: Event, diff: Diff, *, rescheduled: bool, send: bool
) -> None:
    """Tell new attendees, those removed, and (if it moved) those kept."""
    everyone = diff.kept + diff.added
    told = diff.added + (diff.kept if rescheduled else [])
    if send:
        _send(event, told, everyone, "REQUEST")
        for removed in diff.removed:
            _send(event, [removed], [removed], "CANCEL")
    _notify(member, event, (a.user_id for a in diff.added if a.user_id), "invited")
    if rescheduled:
        _notify(member, event, (a.user_id for a in diff.kept if a.user_id), "changed")
    _notify(member, event, (a.user_id for a in diff.removed if a.user_id), "removed")


def announce_cancellation(
    member: Membership, event: Event, attendees: list[EventAttendee], *, send: bool
) -> None:
    if send:
        _send(event, attendees, attendees, "CANCEL")
    _notify(member, event, (a.user_id for a in attendees if a.user_id), "cancelled")


def site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path
