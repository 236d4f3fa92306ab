"""My day: the member's overdue, today's and upcoming tasks, in their own time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.test import Client

from amity.activities import task_selectors, task_services
from amity.core.models import User
from tests.activities import helpers
from tests.conftest import World
from tests.customers import helpers as customers


def _titles(section: list[Any]) -> list[str]:
    return [t.title for t in section]


def test_it_splits_the_members_tasks_into_overdue_today_and_upcoming(world: World) -> None:
    helpers.task(world, world.bob, title="Yesterday", due=-1)
    helpers.task(world, world.bob, title="Today", due=0)
    helpers.task(world, world.bob, title="Tomorrow", due=1)
    helpers.task(world, world.bob, title="Far away", due=30)
    helpers.task(world, world.sam, title="Sam's")
    team_task = helpers.task(
        world, world.bob, title="The team's", due=2, owner=None, team=world.east.pk
    )
    done = helpers.task(world, world.bob, title="Done", due=0)
    task_services.complete_task(world.member(world.bob), done)
    day = task_selectors.my_day(world.member(world.bob))
    assert _titles(day.overdue) == ["Yesterday"]
    assert _titles(day.due_today) == ["Today"]
    assert _titles(day.upcoming) == ["Tomorrow", "The team's"]
    assert _titles(task_selectors.my_day(world.member(world.sam)).upcoming) == ["The team's"]
    assert team_task.owner_id is None


def test_it_counts_a_timed_task_overdue_once_its_time_has_passed(world: World) -> None:
    User.objects.filter(pk=world.bob.pk).update(time_zone="Europe/Oslo")
    world.bob.refresh_from_db()
    task = helpers.task(world, world.bob, title="Morning call", due=0, at=time(9, 0))
    member = world.member(world.bob)
    nine = task.due_at
    assert _titles(task_selectors.my_day(member, nine - timedelta(minutes=1)).due_today) == [
        "Morning call"
    ]
    assert _titles(task_selectors.my_day(member, nine + timedelta(minutes=1)).overdue) == [
        "Morning call"
    ]


def test_it_uses_the_members_time_zone_for_today(world: World) -> None:
    User.objects.filter(pk=world.bob.pk).update(time_zone="America/New_York")
    world.bob.refresh_from_db()
    member = world.member(world.bob)
    helpers.task(world, world.bob, title="NY", due=helpers.today(world.bob))
    day = task_selectors.my_day(member)
    assert day.today == helpers.today(world.bob)
    assert _titles(day.due_today) + _titles(day.overdue) == ["NY"]
    late = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)  # 22:00 on 31 Dec in New York
    assert task_selectors.my_day(member, late).today.isoformat() == "2029-12-31"


def test_it_shows_the_page_with_complete_buttons(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    ann = customers.person(world, first_name="Ann")
    for n in range(6):
        helpers.task(
            world, world.bob, title=f"Task {n}", due=n - 2, related_type="person", related_id=ann.pk
        )
    client = as_user(world.bob)
    client.get("/tasks/my-day/")
    # The shell's queries (session, user, membership, second factor, workspaces...),
    # then one for the tasks and one for the team members the buttons need.
    with django_assert_num_queries(7):
        page = client.get("/tasks/my-day/")
    assert page.status_code == 200
    assert page.content.count(b'data-testid="task-row"') == 6
    assert page.content.count(b">Complete<") == 6
    assert b"Ann Lee" in page.content


def test_it_shows_no_buttons_to_a_read_only_viewer(
    world: World, as_user: Callable[[User], Client]
) -> None:
    page = as_user(world.dave).get("/tasks/my-day/")
    assert page.status_code == 200
    assert b"Nothing overdue." in page.content and b"Add task" not in page.content
