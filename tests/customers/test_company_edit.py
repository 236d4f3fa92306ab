from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_saves_changes(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    response = as_user(world.carol).post(
        f"/companies/{initech.pk}/edit/", helpers.form_data(initech, industry="Software")
    )
    assert response.status_code == 302
    stored = helpers.reload(initech)
    assert (stored.industry, stored.version) == ("Software", 2)


def test_it_shows_the_newer_values_on_a_version_conflict(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = helpers.company(world)
    stale = helpers.form_data(initech, phone="+4722222222")
    services.update_company(
        world.member(world.alice), initech, {"phone": "+47 11 11 11 11"}, expected_version=1
    )
    response = as_user(world.carol).post(f"/companies/{initech.pk}/edit/", stale)
    assert response.status_code == 200
    assert response.context["conflict"] == [
        {"label": "Phone", "theirs": "+4711111111", "yours": "+4722222222"}
    ]
    assert helpers.reload(initech).phone == "+4711111111"


def test_it_answers_404_once_the_record_is_in_the_trash(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = helpers.company(world)
    client = as_user(world.alice)
    stale = helpers.form_data(initech, phone="222")
    client.get(f"/companies/{initech.pk}/edit/")
    services.trash(world.member(world.erin), initech)
    response = client.post(f"/companies/{initech.pk}/edit/", stale)
    assert response.status_code == 404
    assert helpers.reload(initech).phone == ""


def test_it_requires_edit_permission(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    for user in (world.dave, world.bob):
        client = as_user(user)
        assert client.get(f"/companies/{initech.pk}/edit/").status_code == 403
        response = client.post(
            f"/companies/{initech.pk}/edit/", helpers.form_data(initech, phone="1")
        )
        assert response.status_code == 403
    assert helpers.reload(initech).version == 1


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    response = as_user(world.mallory).post(
        f"/companies/{initech.pk}/edit/", helpers.form_data(initech, phone="1")
    )
    assert response.status_code == 404
    assert helpers.reload(initech).version == 1


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    initech = helpers.company(world)
    response = client.post(f"/companies/{initech.pk}/edit/", helpers.form_data(initech, phone="1"))
    assert response.status_code == 302
    assert helpers.reload(initech).version == 1
