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
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import alerts
from amity.activities.models import Reminder, Task
from amity.activities.recurrence import zone
from amity.core import notifications
from amity.core.models import Membership

logger = logging.getLogger("amity.worker")
BATCH = 100
# What the task form offers: minutes before the due moment.
OFFSETS = (0, 15, 60, 24 * 60)


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
        due_at=task.due_at - timedelta(minutes=minutes_before),
        email=email,
    )


def follow_task(task: Task) -> None:
    """Move pending reminders along with the task's due moment and assignee; drop when closed."""
    pending = Reminder.objects.filter(
        workspace_id=task.workspace_id, task_id=task.pk, status=Reminder.Status.PENDING
    )
    if task.status != Task.Status.OPEN or task.deleted_at is not None or task.owner_id is None:
        pending.update(status=Reminder.Status.CANCELLED)
        return
    for reminder in pending:
        reminder.due_at = task.due_at - timedelta(minutes=reminder.minutes_before)
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
        reminder = Reminder.objects.select_related("task", "recipient").get(pk=reminder_id)
        task = reminder.task
        member = (
            Membership.objects.filter(
                workspace_id=reminder.workspace_id, user_id=reminder.recipient_id, is_active=True
            )
            .select_related("user")
            .first()
        )
        if member is None or task is None or task.deleted_at is not None:
            return True  # nobody to tell any more: settled, never retried
        with notifications.in_language_of(member.user):
            text = _("Reminder: %(title)s is due %(when)s") % {
                "title": task.title,
                "when": timezone.localtime(task.due_at, zone(task.time_zone)).strftime(
                    "%Y-%m-%d %H:%M" if task.due_time else "%Y-%m-%d"
                ),
            }
        alerts.tell(
            member, kind="reminder", text=text, url=task.get_absolute_url(), email=reminder.email
        )
    return True


def deliver_due(limit: int = BATCH) -> int:
    """Deliver one batch of due reminders; return how many this call delivered."""
    done = 0
    for reminder_id in due_ids(limit):
        try:
            done += deliver(reminder_id)
        except Exception:  # one broken reminder must not stop the rest
            logger.exception("Reminder %s failed", reminder_id)
    return done
