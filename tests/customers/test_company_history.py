from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_lists_who_viewed_and_changed(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    services.record_view(world.member(world.dave), initech)
    response = as_user(world.alice).get(f"/companies/{initech.pk}/history/")
    assert response.status_code == 200
    assert [(e.action, e.actor_id) for e in response.context["events"]] == [
        ("view", world.dave.pk),
        ("create", world.alice.pk),
    ]


def test_it_is_only_for_audit_viewers(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    assert as_user(world.dave).get(f"/companies/{initech.pk}/history/").status_code == 403
    assert as_user(world.erin).get(f"/companies/{initech.pk}/history/").status_code == 200


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    assert as_user(world.mallory).get(f"/companies/{initech.pk}/history/").status_code == 404


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    initech = helpers.company(world)
    assert client.get(f"/companies/{initech.pk}/history/").status_code == 302
