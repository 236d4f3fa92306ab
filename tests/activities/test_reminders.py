"""Reminders on tasks: set from the form, moved with the task, delivered once by the sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from django.test import Client
from django.utils import timezone

from amity.activities import reminders, task_services
from amity.activities.models import Reminder
from amity.core import tasks
from amity.core.models import Notification, OutboxMessage, User
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off


def _reminders() -> list[tuple[int | None, str, datetime, bool]]:
    with tenant_guard_off():
        return list(
            Reminder.objects.order_by("id").values_list("task_id", "status", "due_at", "email")
        )


def _told() -> list[tuple[int, str, str]]:
    with tenant_guard_off():
        return list(
            Notification.objects.filter(kind="reminder").values_list("recipient_id", "kind", "text")
        )


def test_it_sets_a_reminder_from_the_form(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.bob).post(
        "/tasks/new/",
        {
            "title": "Call Ann",
            "due_date": "2030-06-01",
            "due_time": "10:00",
            "priority": "2",
            "remind": "60",
            "remind_email": "on",
        },
    )
    assert response.status_code == 302
    with tenant_guard_off():
        task_id = Reminder.objects.get().task_id
    assert _reminders() == [(task_id, "pending", datetime(2030, 6, 1, 9, 0, tzinfo=UTC), True)]
    page = as_user(world.bob).get(f"/tasks/{task_id}/")
    assert b'<option value="60" selected>' in page.content


def test_it_delivers_a_due_reminder_exactly_once(world: World) -> None:
    task = helpers.task(world, world.bob, title="Send offer", due=date(2026, 1, 5), at=time(9, 0))
    reminders.set_for_task(task, 15, email=True)
    later = helpers.task(world, world.bob, title="Not yet", due=date(2099, 1, 1))
    reminders.set_for_task(later, 0)
    assert tasks.run_sweeps() == 1
    assert reminders.deliver_due() == 0
    assert _told() == [(world.bob.pk, "reminder", "Reminder: Send offer is due 2026-01-05 09:00")]
    with tenant_guard_off():
        assert list(OutboxMessage.objects.values_list("payload__subject", flat=True)) == [
            "Reminder: Send offer is due 2026-01-05 09:00"
        ]
    assert [r[1] for r in _reminders()] == ["sent", "pending"]


def test_it_moves_the_reminder_with_the_due_date(
    world: World, as_user: Callable[[User], Client]
) -> None:
    task = helpers.task(world, world.bob, due=date(2030, 1, 10), at=time(12, 0))
    reminders.set_for_task(task, 1440)
    response = as_user(world.bob).post(
        f"/tasks/{task.pk}/",
        {
            "title": "Moved",
            "due_date": "2030-01-20",
            "due_time": "12:00",
            "priority": "2",
            "version": "1",
            "remind": "1440",
        },
    )
    assert response.status_code == 302
    assert [(r[1], r[2]) for r in _reminders()] == [
        ("pending", datetime(2030, 1, 19, 12, 0, tzinfo=UTC))
    ]


def test_it_drops_the_reminder_of_a_completed_task_and_carries_it_to_the_next(
    world: World,
) -> None:
    task = helpers.task(world, world.bob, due=date(2030, 1, 10), at=time(8, 0), repeat="daily")
    reminders.set_for_task(task, 15)
    nxt = task_services.complete_task(world.member(world.bob), task)
    assert nxt is not None
    assert [(r[0], r[1], r[2]) for r in _reminders()] == [
        (task.pk, "cancelled", datetime(2030, 1, 10, 7, 45, tzinfo=UTC)),
        (nxt.pk, "pending", datetime(2030, 1, 11, 7, 45, tzinfo=UTC)),
    ]


def test_it_tells_nobody_about_a_deleted_task(world: World) -> None:
    task = helpers.task(world, world.bob, due=date(2026, 1, 5))
    reminders.set_for_task(task, 0)
    task_services.trash_task(world.member(world.bob), task)
    assert reminders.deliver_due() == 0
    assert _told() == []


def test_it_keeps_delivery_near_the_due_moment(world: World) -> None:
    task = helpers.task(world, world.bob, due=date(2026, 1, 5), at=time(9, 0))
    reminders.set_for_task(task, 0)
    with tenant_guard_off():
        reminder = Reminder.objects.get()
    assert reminder.due_at <= timezone.now() - timedelta(days=1)
    assert reminders.deliver(reminder.pk) is True
    assert reminders.deliver(reminder.pk) is False
