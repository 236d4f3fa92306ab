"""Editing a task: saving, optimistic locking, reassignment notices, and who may."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from amity.core.models import AuditEvent, Notification, User
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off


def _form(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Call Ann",
        "due_date": "2030-03-01",
        "due_time": "",
        "priority": "2",
        "version": "1",
        "repeat": "",
        "repeat_every": "1",
        **changes,
    }


def test_it_shows_the_task(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob, title="Call Ann")
    page = as_user(world.bob).get(f"/tasks/{task.pk}/")
    assert page.status_code == 200
    assert b'value="Call Ann"' in page.content and b">Complete<" in page.content


def test_it_saves_and_records_the_change(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob, title="Call Ann")
    response = as_user(world.bob).post(
        f"/tasks/{task.pk}/",
        _form(
            title="Call Ann again",
            owner=str(world.bob.pk),
            repeat="weekly",
            repeat_weekdays=["0", "3"],
        ),
    )
    assert response.status_code == 302
    saved = helpers.reload(task)
    assert (saved.title, saved.version, saved.repeat, saved.repeat_weekdays) == (
        "Call Ann again",
        2,
        "weekly",
        "03",
    )
    with tenant_guard_off():
        event = AuditEvent.objects.filter(action="update", object_type="task").get()
    assert event.changes["title"] == ["Call Ann", "Call Ann again"]


def test_it_refuses_a_stale_form(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob, title="Call Ann")
    client = as_user(world.bob)
    assert client.post(f"/tasks/{task.pk}/", _form(title="First")).status_code == 302
    response = client.post(f"/tasks/{task.pk}/", _form(title="Second"))
    assert response.status_code == 409
    assert b"Someone else changed this task" in response.content
    assert helpers.reload(task).title == "First"


def test_it_tells_a_new_assignee(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob, title="Call Ann")
    as_user(world.bob).post(f"/tasks/{task.pk}/", _form(owner=str(world.sam.pk)))
    with tenant_guard_off():
        assert list(Notification.objects.values_list("recipient_id", "kind")) == [
            (world.sam.pk, "task_assigned")
        ]


def test_it_checks_ownership(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.alice, title="Call Ann")
    client = as_user(world.bob)
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/tasks/{task.pk}/", _form(title="Mine now")).status_code == 404
    assert as_user(world.mallory).get(f"/tasks/{task.pk}/").status_code == 404
    assert helpers.reload(task).title == "Call Ann"


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob, title="Call Ann")
    client = as_user(world.dave)
    page = client.get(f"/tasks/{task.pk}/")
    assert (
        page.status_code == 200 and b'<form method="post" class="record-form"' not in page.content
    )
    assert client.post(f"/tasks/{task.pk}/", _form(title="Nope")).status_code == 403
    assert helpers.reload(task).title == "Call Ann"


def test_it_moves_a_task_to_the_trash(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob)
    assert as_user(world.sam).post(f"/tasks/{task.pk}/delete/").status_code == 403
    assert as_user(world.bob).post(f"/tasks/{task.pk}/delete/").status_code == 302
    assert helpers.reload(task).deleted_at is not None
    assert as_user(world.bob).get(f"/tasks/{task.pk}/").status_code == 404
