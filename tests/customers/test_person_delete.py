from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_asks_before_deleting(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world, first_name="Ann")
    response = as_user(world.alice).get(f"/people/{ann.pk}/delete/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete Ann Lee?" in html
    assert "restored for 30 days" in html
    assert helpers.reload(ann).deleted_at is None


def test_it_moves_the_person_to_the_trash(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.erin).post(f"/people/{ann.pk}/delete/", {"version": 1})
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    stored = helpers.reload(ann)
    assert stored.deleted_at is not None
    assert stored.deleted_by_id == world.erin.pk
    assert len(helpers.events("delete", ann)) == 1


def test_it_refuses_a_stale_confirmation(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    services.update_person(world.member(world.alice), ann, {"title": "CEO"}, expected_version=1)
    response = as_user(world.erin).post(f"/people/{ann.pk}/delete/", {"version": 1})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{ann.pk}/"
    assert helpers.reload(ann).deleted_at is None


def test_it_lets_sales_delete_only_their_own(
    world: World, as_user: Callable[[User], Client]
) -> None:
    mine = helpers.person(world, world.bob)
    theirs = helpers.person(world, world.alice)
    client = as_user(world.bob)
    assert client.post(f"/people/{theirs.pk}/delete/", {"version": 1}).status_code == 403
    assert client.post(f"/people/{mine.pk}/delete/", {"version": 1}).status_code == 302
    assert helpers.reload(theirs).deleted_at is None
    assert helpers.reload(mine).deleted_at is not None


def test_it_requires_delete_permission(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    for user in (world.carol, world.dave, world.frank):
        client = as_user(user)
        assert client.get(f"/people/{ann.pk}/delete/").status_code == 403
        assert client.post(f"/people/{ann.pk}/delete/", {"version": 1}).status_code == 403
    assert helpers.reload(ann).deleted_at is None
    assert helpers.events("delete", ann) == []


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    assert as_user(world.mallory).post(f"/people/{ann.pk}/delete/").status_code == 404
    assert helpers.reload(ann).deleted_at is None


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    ann = helpers.person(world)
    response = client.post(f"/people/{ann.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert helpers.reload(ann).deleted_at is None


def test_it_refuses_a_confirmation_without_a_version(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    response = as_user(world.erin).post(f"/people/{ann.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{ann.pk}/"
    assert helpers.reload(ann).deleted_at is None
