"""Bulk reassigning tasks from the list."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from tests.activities import helpers
from tests.conftest import World


def test_it_reassigns_the_chosen_tasks(world: World, as_user: Callable[[User], Client]) -> None:
    one = helpers.task(world, world.bob, title="One")
    two = helpers.task(world, world.bob, title="Two")
    helpers.task(world, world.bob, title="Three")
    response = as_user(world.bob).post(
        "/tasks/reassign/", {"tasks": [str(one.pk), str(two.pk)], "owner": str(world.sam.pk)}
    )
    assert response.status_code == 302
    assert [(t[0], t[2]) for t in helpers.all_tasks()] == [
        ("One", world.sam.pk),
        ("Two", world.sam.pk),
        ("Three", world.bob.pk),
    ]
    assert helpers.reload(one).version == 2


def test_it_skips_tasks_the_member_may_not_edit(
    world: World, as_user: Callable[[User], Client]
) -> None:
    alices = helpers.task(world, world.alice, title="Alice's")
    as_user(world.bob).post(
        "/tasks/reassign/", {"tasks": [str(alices.pk)], "owner": str(world.bob.pk)}
    )
    assert helpers.reload(alices).owner_id == world.alice.pk


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    assert as_user(world.bob).get("/tasks/reassign/").status_code == 405


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    task = helpers.task(world, world.bob)
    response = as_user(world.dave).post(
        "/tasks/reassign/", {"tasks": [str(task.pk)], "owner": str(world.dave.pk)}
    )
    assert response.status_code == 403
    assert helpers.reload(task).owner_id == world.bob.pk
