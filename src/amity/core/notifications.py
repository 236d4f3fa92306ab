"""Notifications: the bell in the top bar, and an email when the recipient wants one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme

from amity.core import outbox
from amity.core.models import Membership, Notification, User

# Which user preference decides whether a kind of notification is also emailed.
EMAIL_PREFERENCE = {"mention": "email_on_mention"}
BELL_CAP = 99


def notify(
    member: Membership,
    *,
    kind: str,
    text: str,
    url: str,
    actor: User | None = None,
    email_subject: str = "",
    email_body: str = "",
) -> Notification:
    """Tell one member about something; also email them if their preference says so.

    Write the texts in the recipient's language (see `in_language_of`).
    """
    recipient = member.user
    rendered = text[:300]
    notification = Notification.objects.create(
        workspace_id=member.workspace_id,
        recipient=recipient,
        actor=actor,
        kind=kind,
        text=rendered,
        url=url if is_local(url) else "",
    )
    Membership.objects.filter(pk=member.pk).update(
        unread_notifications=F("unread_notifications") + 1
    )
    preference = EMAIL_PREFERENCE.get(kind)
    if preference and getattr(recipient, preference):
        link = settings.SITE_URL.rstrip("/") + notification.url
        outbox.queue_email(
            to=[recipient.email],
            subject=email_subject or rendered,
            body=f"{email_body or rendered}\n\n{link}\n",
            workspace_id=member.workspace_id,
        )
    return notification


def in_language_of(user: User) -> Any:
    """Return a context manager that translates into the user's language."""
    return translation.override(user.language or settings.LANGUAGE_CODE)


def is_local(url: str) -> bool:
    """Return whether `url` is a path on this site (never another host)."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def inbox(member: Membership) -> QuerySet[Notification]:
    """Return the member's notifications in this workspace, newest first."""
    return (
        Notification.objects.filter(workspace_id=member.workspace_id, recipient_id=member.user_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def _recount(member: Membership) -> None:
    unread = Notification.objects.filter(
        workspace_id=member.workspace_id, recipient_id=member.user_id, read_at__isnull=True
    ).count()
    Membership.objects.filter(pk=member.pk).update(unread_notifications=unread)
    member.unread_notifications = unread


@transaction.atomic
def mark_read(member: Membership, notification: Notification) -> None:
    """Mark one of the member's notifications read."""
    now = timezone.now()
    if Notification.objects.filter(
        pk=notification.pk,
        workspace_id=member.workspace_id,
        recipient_id=member.user_id,
        read_at__isnull=True,
    ).update(read_at=now):
        notification.read_at = now
    _recount(member)


@transaction.atomic
def mark_all_read(member: Membership) -> int:
    """Mark every unread notification of the member read; return how many."""
    count = Notification.objects.filter(
        workspace_id=member.workspace_id, recipient_id=member.user_id, read_at__isnull=True
    ).update(read_at=timezone.now())
    _recount(member)
    return count


def bell_label(member: Membership) -> str:
    """Return the unread count as the bell shows it ("99+" past the cap)."""
    n = member.unread_notifications
    return f"{BELL_CAP}+" if n > BELL_CAP else str(n)
