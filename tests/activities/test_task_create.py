"""Adding a task: the full form, quick add from a record page and the top bar, and who may."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

from django.test import Client

from amity.activities.models import Task
from amity.core.models import Notification, User
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers as customers


def test_it_quick_adds_a_task_from_a_person_page(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = customers.person(world, first_name="Ann")
    client = as_user(world.bob)
    page = client.get(f"/people/{ann.pk}/")
    assert b'name="related_id" value="%d"' % ann.pk in page.content
    response = client.post(
        "/tasks/new/",
        {
            "title": "  Send   the offer ",
            "due_date": "2030-05-02",
            "priority": "2",
            "related_type": "person",
            "related_id": str(ann.pk),
            "next": f"/people/{ann.pk}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/people/{ann.pk}/"
    with tenant_guard_off():
        task = Task.objects.get()
    assert (task.title, task.owner_id, task.person_id, task.company_id) == (
        "Send the offer",
        world.bob.pk,
        ann.pk,
        None,
    )
    assert (task.due_time, task.status, task.created_by_id) == (None, "open", world.bob.pk)


def test_it_makes_the_due_moment_in_the_assignees_time_zone(
    world: World, as_user: Callable[[User], Client]
) -> None:
    User.objects.filter(pk=world.sam.pk).update(time_zone="America/New_York")
    response = as_user(world.bob).post(
        "/tasks/new/",
        {
            "title": "Demo",
            "due_date": "2030-07-01",
            "due_time": "09:00",
            "priority": "3",
            "owner": str(world.sam.pk),
        },
    )
    assert response.status_code == 302
    with tenant_guard_off():
        task = Task.objects.get()
    assert (task.time_zone, task.due_time) == ("America/New_York", time(9, 0))
    assert task.due_at == datetime(2030, 7, 1, 13, 0, tzinfo=UTC)


def test_it_tells_the_assignee_about_a_task_from_someone_else(
    world: World, as_user: Callable[[User], Client]
) -> None:
    as_user(world.bob).post(
        "/tasks/new/",
        {
            "title": "Check the invoice",
            "due_date": "2030-01-01",
            "priority": "2",
            "owner": str(world.sam.pk),
        },
    )
    helpers.task(world, world.sam, title="My own")
    with tenant_guard_off():
        told = list(Notification.objects.values_list("recipient_id", "kind", "text"))
    assert told == [(world.sam.pk, "task_assigned", "Bob assigned you a task: Check the invoice")]


def test_it_shows_the_form_prefilled_for_a_company(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = customers.company(world)
    page = as_user(world.carol).get(f"/tasks/new/?company={initech.pk}")
    assert page.status_code == 200
    assert b'<option value="company" selected>' in page.content


def test_it_refuses_a_record_the_user_cannot_see(
    world: World, as_user: Callable[[User], Client]
) -> None:
    other = customers.person(world)
    with tenant_guard_off():
        from amity.customers.models import Person

        Person.objects.filter(pk=other.pk).update(workspace=world.globex)
    response = as_user(world.bob).post(
        "/tasks/new/",
        {
            "title": "Peek",
            "due_date": "2030-01-01",
            "priority": "2",
            "related_type": "person",
            "related_id": str(other.pk),
        },
    )
    assert response.status_code == 400
    assert b"That record does not exist." in response.content
    assert helpers.all_tasks() == []


def test_it_refuses_a_missing_title(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.bob).post("/tasks/new/", {"title": " ", "due_date": "2030-01-01"})
    assert response.status_code == 400
    assert helpers.all_tasks() == []


def test_it_refuses_a_read_only_role(world: World, as_user: Callable[[User], Client]) -> None:
    client = as_user(world.dave)
    assert client.get("/tasks/new/").status_code == 403
    response = client.post("/tasks/new/", {"title": "Sneak", "due_date": "2030-01-01"})
    assert response.status_code == 403
    assert helpers.all_tasks() == []
    assert b"+ Task" not in client.get("/tasks/my-day/").content


def test_it_offers_quick_add_in_the_top_bar(
    world: World, as_user: Callable[[User], Client]
) -> None:
    page = as_user(world.bob).get("/")
    assert b'id="topbar-task-title"' in page.content
