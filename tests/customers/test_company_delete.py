from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from tests.conftest import World
from tests.customers import helpers


def test_it_moves_the_company_to_the_trash(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    client = as_user(world.alice)
    assert "Delete Initech?" in client.get(f"/companies/{initech.pk}/delete/").content.decode()
    response = client.post(f"/companies/{initech.pk}/delete/", {"version": 1})
    assert response.status_code == 302
    assert response["Location"] == "/companies/"
    assert helpers.reload(initech).deleted_at is not None
    assert len(helpers.events("delete", initech)) == 1


def test_it_requires_delete_permission(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    for user in (world.bob, world.carol, world.dave):
        assert as_user(user).post(f"/companies/{initech.pk}/delete/").status_code == 403
    assert helpers.reload(initech).deleted_at is None


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    assert as_user(world.mallory).post(f"/companies/{initech.pk}/delete/").status_code == 404
    assert helpers.reload(initech).deleted_at is None


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    initech = helpers.company(world)
    assert client.post(f"/companies/{initech.pk}/delete/").status_code == 302
    assert helpers.reload(initech).deleted_at is None
