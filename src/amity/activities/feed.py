"""A member's private calendar feed: a secret URL that calendar apps subscribe to.

The secret is shown once when made (like API tokens) and only its SHA-256 is kept;
making a new one replaces the old, whose URL then answers 404.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import ics
from amity.activities.models import CalendarFeed, Event, Task
from amity.activities.recurrence import local_today
from amity.core import audit, notifications
from amity.core.models import Membership
from amity.core.services import hash_token

PREFIX = "cal_"
PAST = timedelta(days=30)
AHEAD = timedelta(days=366)


def feed_of(member: Membership) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        workspace_id=member.workspace_id, user_id=member.user_id
    ).first()


def url_for(secret: str) -> str:
    from amity.activities.invitations import site_url

    return site_url(reverse("activities:calendar_feed", args=[secret]))


def reset(member: Membership) -> tuple[CalendarFeed, str]:
    """Make a new secret feed URL for the member (the old one stops working); return it once."""
    raw = PREFIX + secrets.token_urlsafe(32)
    CalendarFeed.objects.filter(workspace_id=member.workspace_id, user_id=member.user_id).delete()
    feed = CalendarFeed.objects.create(
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        prefix=raw[: len(PREFIX) + 6],
        token_hash=hash_token(raw),
    )
    audit.record(
        audit.Action.SECURITY,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="calendar_feed",
        object_id=feed.pk,
        object_repr=feed.prefix,
        changes={"created": [None, feed.prefix]},
    )
    return feed, raw


def turn_off(member: Membership) -> None:
    feed = feed_of(member)
    if feed is None:
        return
    CalendarFeed.objects.filter(workspace_id=member.workspace_id, pk=feed.pk).delete()
    audit.record(
        audit.Action.SECURITY,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="calendar_feed",
        object_id=feed.pk,
        object_repr=feed.prefix,
        changes={"deleted": [feed.prefix, None]},
    )


def member_for(raw: str) -> Membership | None:
    """Return the active member whose feed secret this is (looked up across workspaces)."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    digest = hash_token(raw)
    feed = CalendarFeed.objects.filter(token_hash=digest).first()
    if feed is None or not secrets.compare_digest(feed.token_hash, digest):
        return None
    member = (
        Membership.objects.filter(
            workspace_id=feed.workspace_id, user_id=feed.user_id, is_active=True
        )
        .select_related("user", "workspace", "role")
        .first()
    )
    if member is None or not member.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=5):
        CalendarFeed.objects.filter(workspace_id=feed.workspace_id, pk=feed.pk).update(
            last_used_at=now
        )
    return member


@dataclass
class Feed:
    body: bytes
    # A hash of the body (DTSTAMPs are the records' own, so an unchanged feed hashes
    # the same). No Last-Modified: a deleted event would not move it forward.
    etag: str


def build(member: Membership, now: datetime | None = None) -> Feed:
    """Return the member's events (organized or attended) and open tasks as iCalendar."""
    now = now or timezone.now()
    start, end = now - PAST, now + AHEAD
    mine = Q(owner_id=member.user_id) | Q(
        attendees__user_id=member.user_id, attendees__workspace_id=member.workspace_id
    )
    rows = list(
        Event.objects.filter(
            mine,
            workspace_id=member.workspace_id,
            deleted_at=None,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .distinct()
        .select_related("owner")
        .order_by("starts_at", "id")
    )
    today = local_today(member.user.time_zone, now)
    tasks = list(
        Task.objects.filter(
            workspace_id=member.workspace_id,
            owner_id=member.user_id,
            status=Task.Status.OPEN,
            deleted_at=None,
            due_date__gte=today - PAST,
            due_date__lte=today + AHEAD,
        ).order_by("due_date", "id")
    )
    with notifications.in_language_of(member.user):
        name = _("Amity: %(name)s") % {"name": member.workspace.name}
        calendar = ics.new_calendar(name=name)
        calendar.add("x-wr-timezone", member.user.time_zone or "UTC")
        for event in rows:
            calendar.add_component(ics.vevent(event, stamp=event.updated_at))
        for task in tasks:
            summary = _("Task due: %(title)s") % {"title": task.title}
            description = _("A task in Amity, due %(when)s.") % {
                "when": task.due_time.strftime("%H:%M") if task.due_time else _("this day")
            }
            calendar.add_component(ics.task_vevent(task, summary=summary, description=description))
    body = bytes(calendar.to_ical())
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Feed(body=body, etag=etag)
