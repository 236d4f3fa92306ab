"""The task list: filters, the htmx results fragment, paging, and what each role sees."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.test import Client

from amity.activities import task_services
from amity.core.models import User
from tests.activities import helpers
from tests.conftest import World
from tests.customers import helpers as customers


def _titles(client: Client, query: str = "") -> list[str]:
    page = client.get(f"/tasks/?{query}", headers={"HX-Request": "true"})
    assert page.status_code == 200
    rows = page.content.decode().split('<th scope="row"')[1:]
    return [html.unescape(row.split('">', 2)[2].split("</a>")[0]) for row in rows]


def test_it_lists_open_tasks_by_due_date(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.task(world, world.bob, title="Later", due=3)
    helpers.task(world, world.bob, title="Sooner", due=1)
    done = helpers.task(world, world.bob, title="Finished", due=0)
    task_services.complete_task(world.member(world.bob), done)
    client = as_user(world.bob)
    assert _titles(client) == ["Sooner", "Later"]
    assert _titles(client, "status=done") == ["Finished"]
    assert _titles(client, "status=any&sort=-due") == ["Later", "Sooner", "Finished"]


def test_it_filters(world: World, as_user: Callable[[User], Client]) -> None:
    ann = customers.person(world)
    helpers.task(world, world.bob, title="Overdue call", due=-2, priority=3)
    helpers.task(
        world, world.bob, title="About Ann", due=5, related_type="person", related_id=ann.pk
    )
    helpers.task(world, world.sam, title="Sam's task", due=0)
    helpers.task(world, world.alice, title="Alice's task", due=0)
    client = as_user(world.bob)
    assert _titles(client, "due=overdue") == ["Overdue call"]
    assert _titles(client, "priority=3") == ["Overdue call"]
    assert _titles(client, f"person={ann.pk}") == ["About Ann"]
    assert _titles(client, "assignee=me") == ["Overdue call", "About Ann"]
    assert _titles(client, f"assignee={world.sam.pk}") == ["Sam's task"]
    assert _titles(client, "q=ann") == ["About Ann"]
    assert _titles(client, "due=today") == ["Sam's task"]
    # bob sees his team's tasks, not alice's; the manager sees all.
    assert "Alice's task" not in _titles(client)
    assert sorted(_titles(as_user(world.erin))) == [
        "About Ann",
        "Alice's task",
        "Overdue call",
        "Sam's task",
    ]


def test_it_shows_only_own_tasks_to_an_own_scope_role(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.task(world, world.frank, title="Frank's")
    helpers.task(world, world.bob, title="Bob's")
    assert _titles(as_user(world.frank)) == ["Frank's"]


def test_it_pages_with_a_pinned_query_count(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    for n in range(55):
        helpers.task(world, world.bob, title=f"Task {n:02}", due=n % 9)
    client = as_user(world.bob)
    client.get("/tasks/")
    # The shell's queries, then the count, the page of tasks and the members to filter by.
    with django_assert_num_queries(8):
        page = client.get("/tasks/")
    assert page.content.count(b'<th scope="row"') == 50
    assert b"55 tasks" in page.content and b'rel="next"' in page.content


def test_it_ignores_junk_filters(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.task(world, world.bob, title="Kept")
    client = as_user(world.bob)
    assert _titles(client, "priority=x&assignee=%00&after=junk&due=never&status=zzz") == ["Kept"]
