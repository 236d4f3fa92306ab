"""Reminders people set themselves: "remind me" on a task, an event or a customer record.

A reminder belongs to its recipient alone: only they list, see or cancel it.
Setting one needs sight of its target (the task, the event or the record).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.activities import events, reminders, task_services
from amity.activities.models import Reminder
from amity.activities.recurrence import zone
from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.models import Company, Person

TARGETS = ("task", "event", "person", "company")
MAX_NOTE = 500
MAX_AHEAD = timedelta(days=5 * 366)
PRESETS = {
    "hour": gettext_lazy("In 1 hour"),
    "tomorrow": gettext_lazy("Tomorrow 9:00"),
    "monday": gettext_lazy("Next Monday 9:00"),
    "custom": gettext_lazy("Custom"),
}
MORNING = time(9, 0)


def preset_moment(
    preset: str, time_zone: str, *, now: datetime | None = None, custom: datetime | None = None
) -> datetime:
    """Return the moment a preset means in the user's zone ("tomorrow" is 09:00 local)."""
    now = now or timezone.now()
    tz = zone(time_zone)
    today = now.astimezone(tz).date()
    if preset == "hour":
        return now + timedelta(hours=1)
    if preset == "tomorrow":
        return datetime.combine(today + timedelta(days=1), MORNING, tzinfo=tz)
    if preset == "monday":
        days = 7 - today.weekday()  # a Monday asks for the one after
        return datetime.combine(today + timedelta(days=days), MORNING, tzinfo=tz)
    if preset == "custom" and custom is not None:
        return custom if timezone.is_aware(custom) else custom.replace(tzinfo=tz)
    raise ValidationError({"remind_at": _("Choose when to be reminded.")})


def mine(member: Membership) -> QuerySet[Reminder]:
    """Return the member's pending reminders in this workspace, soonest first."""
    return (
        Reminder.objects.filter(
            workspace_id=member.workspace_id,
            recipient_id=member.user_id,
            status=Reminder.Status.PENDING,
        )
        .select_related("task", "event", "person", "company")
        .order_by("due_at", "id")
    )


def get_mine(member: Membership, pk: Any) -> Reminder:
    """Return one of the member's own reminders; 404 for anyone else's."""
    try:
        found: Reminder = mine(member).get(pk=int(pk))
    except (Reminder.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    return found


def _target(member: Membership, target_type: str, target_id: Any) -> Any:
    """Return the target if the member may see it; 404 otherwise."""
    if target_type == "task":
        return task_services.get_task(member, target_id)
    if target_type == "event":
        return events.get_event(member, target_id)
    if target_type == "person":
        return access.get_for_user(member, Person, target_id)
    if target_type == "company":
        return access.get_for_user(member, Company, target_id)
    raise Http404


def _clean_note(note: str) -> str:
    note = " ".join(str(note or "").split())
    if len(note) > MAX_NOTE or "\x00" in note:
        raise ValidationError({"note": _("Use at most %(n)d characters.") % {"n": MAX_NOTE}})
    return note


@transaction.atomic
def create(
    member: Membership,
    target_type: str,
    target_id: Any,
    *,
    remind_at: datetime | None = None,
    minutes_before: int | None = None,
    note: str = "",
    email: bool = False,
    in_app: bool = True,
) -> Reminder:
    """Set a reminder for the member: at a moment, or minutes before a task or event."""
    target = _target(member, target_type, target_id)
    now = timezone.now()
    values: dict[str, Any] = {target_type: target, "note": _clean_note(note)}
    if not email and not in_app:
        raise ValidationError({"in_app": _("Choose the bell, email or both.")})
    if target_type in ("task", "event") and minutes_before is not None:
        if not 0 <= minutes_before <= reminders.MAX_MINUTES_BEFORE:
            raise ValidationError({"minutes_before": _("Choose up to four weeks before.")})
        if target_type == "task":
            remind_at = reminders.moment_before(target.due_at, minutes_before, target.time_zone)
        else:
            remind_at = reminders.moment_before(
                target.starts_at, minutes_before, member.user.time_zone
            )
        values["minutes_before"] = minutes_before
    if remind_at is None:
        raise ValidationError({"remind_at": _("Choose when to be reminded.")})
    if remind_at <= now - timedelta(minutes=1):
        raise ValidationError({"remind_at": _("Choose a moment in the future.")})
    if remind_at > now + MAX_AHEAD:
        raise ValidationError({"remind_at": _("Choose a moment within five years.")})
    if target_type == "task" and target.owner_id != member.user_id:
        raise ValidationError({"target_id": _("Set reminders on tasks assigned to you.")})
    if target_type == "event" and member.user_id not in reminders.event_recipients(target):
        raise ValidationError({"target_id": _("Set reminders on events you take part in.")})
    reminder = Reminder.objects.create(
        workspace_id=member.workspace_id,
        recipient_id=member.user_id,
        due_at=remind_at,
        email=email,
        in_app=in_app,
        **values,
    )
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=reminder,
        object_type="reminder",
        changes={"target": [None, f"{target_type}:{target.pk}"], "due_at": [None, str(remind_at)]},
    )
    return reminder


@transaction.atomic
def cancel(member: Membership, reminder: Reminder, *, expected_version: int) -> None:
    """Cancel one of the member's pending reminders, if still at `expected_version`."""
    if not Reminder.objects.filter(
        pk=reminder.pk,
        workspace_id=member.workspace_id,
        recipient_id=member.user_id,
        status=Reminder.Status.PENDING,
        version=expected_version,
    ).update(status=Reminder.Status.CANCELLED, version=F("version") + 1):
        raise VersionConflict(
            Reminder.objects.filter(pk=reminder.pk, workspace_id=member.workspace_id).first()
        )
    reminder.status = Reminder.Status.CANCELLED
    reminder.version = expected_version + 1
    audit.record(
        audit.Action.DELETE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=reminder,
        object_type="reminder",
    )


def for_record(member: Membership, record: Person | Company) -> list[Reminder]:
    """Return the member's pending reminders on a record (one bounded query)."""
    field = "person_id" if isinstance(record, Person) else "company_id"
    return list(mine(member).filter(**{field: record.pk})[:10])
