"""Reminders on tasks, delivered by `amity worker` within a sweep interval of their moment.

Exactly once: each reminder is claimed by a conditional update (pending ->
sent) in the same transaction that writes its notification and its outbox
email. A worker killed mid-batch rolls back the reminder it was on, which the
next sweep (after a restart) delivers; a committed one is never picked again.
Nothing slow happens inside that transaction (the email is only queued in the
outbox), so no separate lease is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import alerts
from amity.activities.models import Event, Reminder, Task
from amity.activities.recurrence import zone
from amity.core import notifications
from amity.core.models import Membership, User
from amity.customers.models import Company, Person

logger = logging.getLogger("amity.worker")
BATCH = 100
# What the task form offers: minutes before the due moment.
OFFSETS = (0, 15, 60, 24 * 60)
# What the event form offers: minutes before the start.
EVENT_OFFSETS = (0, 10, 15, 30, 60, 120, 24 * 60, 2 * 24 * 60, 7 * 24 * 60)
MAX_MINUTES_BEFORE = 28 * 24 * 60
DAY = 24 * 60
# Who besides the organizer hears an event's reminders (an attendees module registers
# `fn(event) -> [user ids]`); the organizer always does.
EVENT_RECIPIENTS: list[Callable[[Event], list[int]]] = []


def register_event_recipients(fn: Callable[[Event], list[int]]) -> None:
    if fn not in EVENT_RECIPIENTS:
        EVENT_RECIPIENTS.append(fn)


def moment_before(when: datetime, minutes_before: int, time_zone: str) -> datetime:
    """Return `minutes_before` before `when`; whole days count on the local calendar.

    "1 day before" a 09:00 meeting is 09:00 the day before in that zone, even
    when a daylight-saving change lies between (23 or 25 hours, not 24).
    """
    days, minutes = divmod(minutes_before, DAY)
    tz = zone(time_zone)
    local = when.astimezone(tz)
    wall = local.replace(tzinfo=None) - timedelta(days=days)
    shifted = wall.replace(tzinfo=tz)
    return shifted.astimezone(when.tzinfo) - timedelta(minutes=minutes)


def set_for_task(task: Task, minutes_before: int | None, *, email: bool = False) -> None:
    """Replace the pending reminder of the task's assignee; None removes it."""
    pending = Reminder.objects.filter(
        workspace_id=task.workspace_id, task_id=task.pk, status=Reminder.Status.PENDING
    )
    pending.delete()
    if minutes_before is None or task.owner_id is None or task.status != Task.Status.OPEN:
        return
    Reminder.objects.create(
        workspace_id=task.workspace_id,
        task=task,
        recipient_id=task.owner_id,
        minutes_before=minutes_before,
        due_at=moment_before(task.due_at, minutes_before, task.time_zone),
        email=email,
    )


def follow_task(task: Task) -> None:
    """Move pending reminders along with the task's due moment and assignee; drop when closed."""
    pending = Reminder.objects.filter(
        workspace_id=task.workspace_id, task_id=task.pk, status=Reminder.Status.PENDING
    )
    if task.due_at > timezone.now():  # moved ahead: it may fall due (and be told) again
        Task.objects.filter(
            pk=task.pk, workspace_id=task.workspace_id, due_alerted_at__isnull=False
        ).update(due_alerted_at=None)
    if task.status != Task.Status.OPEN or task.deleted_at is not None or task.owner_id is None:
        pending.update(status=Reminder.Status.CANCELLED)
        return
    for reminder in pending:
        reminder.due_at = moment_before(task.due_at, reminder.minutes_before, task.time_zone)
        reminder.recipient_id = task.owner_id
        reminder.save(update_fields=["due_at", "recipient"])


def pending_for(task: Task) -> Reminder | None:
    return (
        Reminder.objects.filter(
            workspace_id=task.workspace_id, task_id=task.pk, status=Reminder.Status.PENDING
        )
        .order_by("due_at")
        .first()
    )


def due_ids(limit: int = BATCH) -> list[int]:
    """Return pending reminders whose moment has come, oldest first (across workspaces)."""
    return list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=timezone.now())
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver(reminder_id: int) -> bool:
    """Deliver one reminder if still pending; return whether this call delivered it."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Reminder.objects.filter(
            pk=reminder_id, status=Reminder.Status.PENDING, due_at__lte=now
        ).update(status=Reminder.Status.SENT, sent_at=now)
        if not claimed:
            return False
        reminder = Reminder.objects.select_related(
            "task", "event", "person", "company", "recipient"
        ).get(pk=reminder_id)
        member = (
            Membership.objects.filter(
                workspace_id=reminder.workspace_id, user_id=reminder.recipient_id, is_active=True
            )
            .select_related("user")
            .first()
        )
        if member is None:
            return True  # nobody to tell any more: settled, never retried
        with notifications.in_language_of(member.user):
            message = _message(reminder, member.user)
        if message is None:
            return True  # its task, event or record is gone: settled, never retried
        text, url = message
        alerts.tell(
            member,
            kind="reminder",
            text=text,
            url=url,
            email=reminder.email,
            app=reminder.in_app,
        )
    return True


def _message(reminder: Reminder, user: User) -> tuple[str, str] | None:
    """Return the reminder's text (in the active language) and link; None if its target went."""
    tz = zone(user.time_zone)
    if reminder.task_id is not None:
        task = reminder.task
        if task is None or task.deleted_at is not None:
            return None
        text = _("Reminder: %(title)s is due %(when)s") % {
            "title": task.title,
            "when": timezone.localtime(task.due_at, zone(task.time_zone)).strftime(
                "%Y-%m-%d %H:%M" if task.due_time else "%Y-%m-%d"
            ),
        }
        return text, task.get_absolute_url()
    if reminder.event_id is not None:
        event = reminder.event
        if event is None or event.deleted_at is not None:
            return None
        text = _("Reminder: %(title)s starts %(when)s") % {
            "title": event.title,
            "when": timezone.localtime(event.starts_at, tz).strftime(
                "%Y-%m-%d" if event.all_day else "%Y-%m-%d %H:%M"
            ),
        }
        return text, event.get_absolute_url()
    record: Person | Company | None = reminder.person or reminder.company
    if record is None or record.deleted_at is not None:
        return None
    name = record.full_name if isinstance(record, Person) else record.name
    if reminder.note:
        text = _("Reminder about %(name)s: %(note)s") % {"name": name, "note": reminder.note}
    else:
        text = _("Reminder about %(name)s") % {"name": name}
    return text, record.get_absolute_url()


def deliver_due(limit: int = BATCH) -> int:
    """Deliver one batch of due reminders; return how many this call delivered."""
    done = 0
    for reminder_id in due_ids(limit):
        try:
            done += deliver(reminder_id)
        except Exception:  # one broken reminder must not stop the rest
            logger.exception("Reminder %s failed", reminder_id)
    return done


# Events -------------------------------------------------------------------------


def event_recipients(event: Event) -> list[int]:
    """Return the users an event's reminders go to: the organizer, then registered others."""
    found: list[int] = [event.owner_id] if event.owner_id is not None else []
    for fn in EVENT_RECIPIENTS:
        found += [pk for pk in fn(event) if pk not in found]
    return found


def _event_zone(event: Event) -> str:
    if event.owner_id is None:
        return "UTC"
    owner = User.objects.filter(pk=event.owner_id).values_list("time_zone", flat=True).first()
    return owner or "UTC"


def set_for_event(
    event: Event, minutes_before: list[int], *, email: bool = False, in_app: bool = True
) -> list[Reminder]:
    """Replace the event's pending reminders with one per offset for each of its recipients."""
    Reminder.objects.filter(
        workspace_id=event.workspace_id, event_id=event.pk, status=Reminder.Status.PENDING
    ).delete()
    if event.deleted_at is not None:
        return []
    time_zone = _event_zone(event)
    offsets = sorted({m for m in minutes_before if 0 <= m <= MAX_MINUTES_BEFORE})
    rows = [
        Reminder(
            workspace_id=event.workspace_id,
            event=event,
            recipient_id=user_id,
            minutes_before=offset,
            due_at=moment_before(event.starts_at, offset, time_zone),
            email=email,
            in_app=in_app,
        )
        for user_id in event_recipients(event)
        for offset in offsets
    ]
    return Reminder.objects.bulk_create(rows)


def follow_event(event: Event) -> int:
    """Move the event's pending reminders with its start; cancel them once it is deleted."""
    pending = Reminder.objects.filter(
        workspace_id=event.workspace_id, event_id=event.pk, status=Reminder.Status.PENDING
    )
    if event.deleted_at is not None:
        count: int = pending.update(status=Reminder.Status.CANCELLED)
        return count
    time_zone = _event_zone(event)
    moved = 0
    for reminder in pending:
        reminder.due_at = moment_before(event.starts_at, reminder.minutes_before, time_zone)
        reminder.save(update_fields=["due_at"])
        moved += 1
    return moved


def event_offsets(event: Event) -> list[int]:
    """Return the offsets (minutes before) of the event's pending reminders."""
    return sorted(
        set(
            Reminder.objects.filter(
                workspace_id=event.workspace_id, event_id=event.pk, status=Reminder.Status.PENDING
            ).values_list("minutes_before", flat=True)
        )
    )


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Delete the reminders on records about to be deleted for good."""
    field = "person_id__in" if subject_type == "person" else "company_id__in"
    Reminder.objects.filter(workspace_id=workspace_id, **{field: ids}).delete()
