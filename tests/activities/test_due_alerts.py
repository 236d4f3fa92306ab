"""Due items in the bell: the assignee hears once when a task falls due, again if it moves."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amity.activities import due_alerts, task_services
from amity.activities.models import AlertPreference, Task
from amity.core.models import Notification, OutboxMessage
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off


def _due(task: Task, ago: timedelta) -> None:
    with tenant_guard_off():
        Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - ago)


def _told() -> list[tuple[int, str, str]]:
    with tenant_guard_off():
        return list(Notification.objects.order_by("id").values_list("recipient_id", "kind", "text"))


def test_it_tells_the_assignee_once_when_a_task_falls_due(world: World) -> None:
    task = helpers.task(world, world.bob, title="Send the offer")
    _due(task, timedelta(minutes=1))
    assert due_alerts.send_due() == 1
    assert due_alerts.send_due() == 0
    assert _told() == [(world.bob.pk, "task_due", "Due now: Send the offer")]


def test_old_overdue_work_and_closed_tasks_stay_quiet(world: World) -> None:
    old = helpers.task(world, world.bob, title="Old")
    _due(old, timedelta(days=3))
    done = helpers.task(world, world.bob, title="Done")
    task_services.complete_task(world.member(world.bob), done)
    _due(done, timedelta(minutes=1))
    assert due_alerts.send_due() == 0
    assert _told() == []


def test_moving_a_told_task_ahead_lets_it_be_told_again(world: World) -> None:
    task = helpers.task(world, world.bob, title="Call")
    _due(task, timedelta(minutes=1))
    due_alerts.send_due()
    task = helpers.reload(task)
    moved = task_services.update_task(
        world.member(world.bob),
        task,
        {
            "title": "Call",
            "due_date": helpers.today(world.bob) + timedelta(days=2),
            "owner": world.bob.pk,
        },
        expected_version=task.version,
    )
    assert helpers.reload(moved).due_alerted_at is None


def test_it_follows_the_reminder_preferences(world: World) -> None:
    AlertPreference.objects.create(
        workspace=world.acme, user=world.bob, reminder_app=False, reminder_email=True
    )
    task = helpers.task(world, world.bob, title="Quote")
    _due(task, timedelta(minutes=1))
    assert due_alerts.send_due() == 1
    assert _told() == []
    with tenant_guard_off():
        assert OutboxMessage.objects.get().payload["subject"] == "Due now: Quote"
