"""Due items in the bell: tell a task's assignee once when it falls due (a worker sweep).

Exactly once per due moment: `due_alerted_at` is claimed by a conditional update
in the same transaction that writes the notification; moving the task ahead
clears it (reminders.follow_task). Only tasks due within the last day are told,
so a fresh install does not flood the bell with old overdue work.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import alerts
from amity.activities.models import Task
from amity.core import notifications
from amity.core.models import Membership, Workspace

logger = logging.getLogger("amity.worker")
BATCH = 100
WINDOW = timedelta(days=1)


def due_ids(now: datetime, limit: int = BATCH) -> list[tuple[int, int]]:
    """Return (workspace, task) of open assigned tasks that fell due and were not told."""
    found: list[tuple[int, int]] = []
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        rows = (
            Task.objects.filter(
                workspace_id=workspace_id,
                status=Task.Status.OPEN,
                deleted_at__isnull=True,
                owner__isnull=False,
                due_alerted_at__isnull=True,
                due_at__lte=now,
                due_at__gt=now - WINDOW,
            )
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[: limit - len(found)]
        )
        found += [(workspace_id, pk) for pk in rows]
        if len(found) >= limit:
            break
    return found


def tell(workspace_id: int, task_id: int, now: datetime) -> bool:
    """Tell the assignee a task is due, once; return whether this call did."""
    with transaction.atomic():
        if not Task.objects.filter(
            pk=task_id, workspace_id=workspace_id, due_alerted_at__isnull=True
        ).update(due_alerted_at=now):
            return False
        task = Task.objects.get(pk=task_id, workspace_id=workspace_id)
        if task.owner_id is None:
            return True
        member = (
            Membership.objects.filter(
                workspace_id=workspace_id, user_id=task.owner_id, is_active=True
            )
            .select_related("user")
            .first()
        )
        if member is None or task.status != Task.Status.OPEN or task.deleted_at is not None:
            return True
        with notifications.in_language_of(member.user):
            text = _("Due now: %(title)s") % {"title": task.title}
        alerts.tell(
            member, kind="task_due", text=text, url=task.get_absolute_url(), preference="reminder"
        )
    return True


def send_due() -> int:
    """Tell the assignees of one batch of tasks that just fell due; return how many."""
    now = timezone.now()
    done = 0
    for workspace_id, task_id in due_ids(now):
        try:
            done += tell(workspace_id, task_id, now)
        except Exception:  # one broken task must not stop the rest
            logger.exception("Due alert for task %s failed", task_id)
    return done
