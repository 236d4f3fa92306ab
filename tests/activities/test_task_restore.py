"""Tasks in the trash: listed for 30 days, restored by whoever may delete them, then purged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from amity.activities import task_services
from amity.activities.models import Task
from amity.core.models import AuditEvent, User
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off


def _trash(world: World, user: User, title: str = "Call back", days_ago: int = 0) -> Task:
    task = helpers.task(world, user, title=title)
    task_services.trash_task(world.member(user), task)
    if days_ago:
        with tenant_guard_off():
            Task.objects.filter(pk=task.pk).update(
                deleted_at=timezone.now() - timedelta(days=days_ago)
            )
    return task


def test_it_lists_and_restores_a_deleted_task(
    world: World, as_user: Callable[[User], Client]
) -> None:
    task = _trash(world, world.bob, title="Send the offer")
    client = as_user(world.bob)
    assert b"Send the offer" in client.get("/tasks/trash/").content
    response = client.post(f"/tasks/{task.pk}/restore/")
    assert response.status_code == 302
    restored = helpers.reload(task)
    assert (restored.deleted_at, restored.version) == (None, 3)
    assert f'action="/tasks/{task.pk}/restore/"'.encode() not in client.get("/tasks/trash/").content
    with tenant_guard_off():
        assert AuditEvent.objects.filter(object_type="task", action="restore").count() == 1


def test_after_thirty_days_it_is_gone_for_good(
    world: World, as_user: Callable[[User], Client]
) -> None:
    old = _trash(world, world.bob, title="Old", days_ago=31)
    recent = _trash(world, world.bob, title="Recent", days_ago=29)
    assert as_user(world.bob).post(f"/tasks/{old.pk}/restore/").status_code == 404
    assert task_services.purge_expired_trash() == 1
    with tenant_guard_off():
        assert list(Task.objects.values_list("title", flat=True)) == ["Recent"]
    assert recent.pk


def test_it_requires_delete_access(world: World, as_user: Callable[[User], Client]) -> None:
    task = _trash(world, world.bob)
    response = as_user(world.dave).post(f"/tasks/{task.pk}/restore/")
    assert response.status_code == 403
    assert helpers.reload(task).deleted_at is not None


def test_it_checks_ownership(world: World, as_user: Callable[[User], Client]) -> None:
    task = _trash(world, world.alice)
    assert as_user(world.bob).post(f"/tasks/{task.pk}/restore/").status_code == 404
    assert helpers.reload(task).deleted_at is not None


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    task = _trash(world, world.bob)
    assert as_user(world.bob).get(f"/tasks/{task.pk}/restore/").status_code == 405
