"""Completing and reopening a task: htmx fragments, the timeline, and repeating tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from django.test import Client

from amity.activities import task_services
from amity.activities.models import Task
from amity.core.models import User
from amity.customers.models import TimelineEvent
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers as customers


def _entries() -> list[tuple[str, str, int | None]]:
    with tenant_guard_off():
        return list(
            TimelineEvent.objects.filter(kind="task").values_list("kind", "summary", "person_id")
        )


def test_it_completes_a_task_and_puts_it_on_the_timeline(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = customers.person(world, first_name="Ann")
    task = helpers.task(
        world, world.bob, title="Send offer", related_type="person", related_id=ann.pk
    )
    client = as_user(world.bob)
    response = client.post(
        f"/tasks/{task.pk}/complete/", {"version": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b">Reopen<" in response.content and b"Done: Send offer." in response.content
    done = helpers.reload(task)
    assert (done.status, done.completed_by_id, done.version) == ("done", world.bob.pk, 2)
    assert done.completed_at is not None
    assert _entries() == [("task", "Completed task: Send offer", ann.pk)]
    assert b"Completed task: Send offer" in client.get(f"/people/{ann.pk}/").content


def test_it_reopens_a_task_and_takes_it_off_the_timeline(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = customers.person(world)
    task = helpers.task(world, world.bob, related_type="person", related_id=ann.pk)
    task_services.complete_task(world.member(world.bob), task)
    response = as_user(world.bob).post(f"/tasks/{task.pk}/reopen/", {"next": "/tasks/my-day/"})
    assert response.status_code == 302 and response["Location"] == "/tasks/my-day/"
    again = helpers.reload(task)
    assert (again.status, again.completed_at, again.completed_by_id) == ("open", None, None)
    assert _entries() == []


def test_it_refuses_a_stale_version(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob)
    response = as_user(world.bob).post(
        f"/tasks/{task.pk}/complete/", {"version": "7"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert helpers.reload(task).status == "open"


def test_it_creates_the_next_occurrence_of_a_repeating_task(world: World) -> None:
    User.objects.filter(pk=world.bob.pk).update(time_zone="Europe/Oslo")
    world.bob.refresh_from_db()
    task = helpers.task(
        world, world.bob, title="Report", due=date(2027, 1, 31), at=time(9, 0), repeat="monthly"
    )
    member = world.member(world.bob)
    second = task_services.complete_task(member, task)
    assert second is not None
    assert (second.due_date, second.series, second.status) == (date(2027, 2, 28), task.uid, "open")
    third = task_services.complete_task(member, second)
    assert third is not None and third.due_date == date(2027, 3, 31)
    # 09:00 in Oslo: CET in February, CEST after 28 March.
    assert second.due_at == datetime(2027, 2, 28, 8, 0, tzinfo=UTC)
    assert third.due_at == datetime(2027, 3, 31, 7, 0, tzinfo=UTC)
    with tenant_guard_off():
        assert Task.objects.filter(series=task.uid).count() == 3


def test_it_completes_only_once(world: World) -> None:
    task = helpers.task(world, world.bob, repeat="daily")
    member = world.member(world.bob)
    task_services.complete_task(member, task, expected_version=1)
    stale = helpers.reload(task)
    stale.status = "open"
    try:
        task_services.complete_task(member, stale)
    except Exception as exc:  # noqa: BLE001
        assert type(exc).__name__ == "VersionConflict"
    assert len(helpers.all_tasks()) == 2


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob)
    assert as_user(world.bob).get(f"/tasks/{task.pk}/complete/").status_code == 405


def test_it_checks_ownership(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.alice)
    assert as_user(world.bob).post(f"/tasks/{task.pk}/complete/").status_code == 404
    assert helpers.reload(task).status == "open"


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob)
    assert as_user(world.dave).post(f"/tasks/{task.pk}/complete/").status_code == 403
    assert helpers.reload(task).status == "open"


def test_it_lets_a_teammate_complete(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob)
    assert as_user(world.sam).post(f"/tasks/{task.pk}/complete/").status_code == 302
    assert helpers.reload(task).completed_by_id == world.sam.pk
