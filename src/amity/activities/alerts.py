"""Notifications about tasks, as each member prefers them: in the bell, by email, or a digest."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities.models import AlertPreference
from amity.activities.recurrence import zone
from amity.core import notifications, outbox
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, User

logger = logging.getLogger("amity.worker")
KINDS = ("task_assigned", "reminder")
DIGEST_HOUR = 7  # local time from which the day's digest goes out


def preferences(member: Membership) -> AlertPreference:
    """Return the member's preferences (the defaults, unsaved, if they never chose)."""
    found = AlertPreference.objects.filter(
        workspace_id=member.workspace_id, user_id=member.user_id
    ).first()
    return found or AlertPreference(workspace_id=member.workspace_id, user_id=member.user_id)


@transaction.atomic
def save_preferences(member: Membership, values: dict[str, bool]) -> AlertPreference:
    fields = {name: bool(values.get(name)) for name in _fields()}
    pref, _created = AlertPreference.objects.update_or_create(
        workspace_id=member.workspace_id, user_id=member.user_id, defaults=fields
    )
    AlertPreference.objects.filter(pk=pref.pk, workspace_id=member.workspace_id).update(
        version=F("version") + 1
    )
    return pref


def stored_preferences(member: Membership) -> AlertPreference:
    """Return the member's saved preferences, saving the defaults first if they never chose."""
    pref, _created = AlertPreference.objects.get_or_create(
        workspace_id=member.workspace_id, user_id=member.user_id
    )
    return pref


@transaction.atomic
def update_preferences(
    member: Membership, changes: dict[str, bool], *, expected_version: int
) -> AlertPreference:
    """Change some preferences if they are still at `expected_version`."""
    values = {name: bool(value) for name, value in changes.items() if name in _fields()}
    mine = AlertPreference.objects.filter(workspace_id=member.workspace_id, user_id=member.user_id)
    if not mine.filter(version=expected_version).update(**values, version=F("version") + 1):
        raise VersionConflict(stored_preferences(member))
    return mine.get()


def _fields() -> list[str]:
    return [f"{kind}_{channel}" for kind in KINDS for channel in ("app", "email")] + ["digest"]


def tell(
    member: Membership,
    *,
    kind: str,
    text: str,
    url: str,
    actor: User | None = None,
    email: bool = False,
    app: bool = True,
    preference: str = "",
) -> None:
    """Notify the member in the bell and/or by email, as they prefer (`email` forces email).

    `app=False` keeps it out of the bell whatever the preference (an email-only reminder);
    `preference` names the preference kind when it differs from `kind`.
    """
    pref = preferences(member)
    chosen = preference or kind
    if app and getattr(pref, f"{chosen}_app", True):
        notifications.notify(member, kind=kind, text=text, url=url, actor=actor)
    if (email or getattr(pref, f"{chosen}_email", False)) and member.user.email:
        link = settings.SITE_URL.rstrip("/") + url
        outbox.queue_email(
            to=[member.user.email],
            subject=text,
            body=f"{text}\n\n{link}\n",
            workspace_id=member.workspace_id,
        )


def send_digests(now: datetime | None = None) -> int:
    """Email each member who asked for it their overdue and today's tasks, once a local day."""
    from amity.activities import task_selectors

    now = now or timezone.now()
    sent = 0
    wanted = AlertPreference.objects.filter(digest=True).select_related("user").order_by("id")
    for pref in wanted[:1000]:
        local = now.astimezone(zone(pref.user.time_zone))
        today = local.date()
        if local.hour < DIGEST_HOUR or pref.digest_sent_on == today:
            continue
        with transaction.atomic():
            claimed = (
                AlertPreference.objects.filter(pk=pref.pk, workspace_id=pref.workspace_id)
                .exclude(digest_sent_on=today)
                .update(digest_sent_on=today)
            )
            member = (
                Membership.objects.filter(
                    workspace_id=pref.workspace_id, user_id=pref.user_id, is_active=True
                )
                .select_related("user", "role", "team")
                .first()
            )
            if not claimed or member is None or not member.user.email:
                continue
            day = task_selectors.my_day(member, now)
            if not day.overdue and not day.due_today:
                continue
            with notifications.in_language_of(member.user):
                subject = _("Your tasks for %(date)s") % {"date": today.isoformat()}
                lines = [subject, ""]
                for heading, tasks in ((_("Overdue"), day.overdue), (_("Today"), day.due_today)):
                    if tasks:
                        lines.append(f"{heading}:")
                        lines += [f"- {t.title} ({t.due_date.isoformat()})" for t in tasks]
                        lines.append("")
            lines.append(settings.SITE_URL.rstrip("/") + "/tasks/my-day/")
            outbox.queue_email(
                to=[member.user.email],
                subject=subject,
                body="\n".join(lines) + "\n",
                workspace_id=member.workspace_id,
            )
            sent += 1
    return sent
