from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_lists_who_viewed_revealed_and_changed(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, sensitive={"national_id": helpers.NATIONAL_ID})
    services.record_view(world.member(world.dave), ann)
    services.reveal(world.member(world.frank), ann, ["national_id"], "Identity check")
    services.update_person(world.member(world.carol), ann, {"title": "CEO"}, expected_version=1)
    response = as_user(world.erin).get(f"/people/{ann.pk}/history/")
    assert response.status_code == 200
    assert [(e.action, e.actor_id) for e in response.context["events"]] == [
        ("update", world.carol.pk),
        ("reveal", world.frank.pk),
        ("view", world.dave.pk),
        ("create", world.alice.pk),
    ]
    html = response.content.decode()
    assert "Identity check" in html
    assert "CEO" in html
    assert helpers.NATIONAL_ID not in html


def test_it_is_only_for_audit_viewers(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world, world.bob)
    for user in (world.bob, world.carol, world.dave, world.frank):
        assert as_user(user).get(f"/people/{ann.pk}/history/").status_code == 403
    assert as_user(world.alice).get(f"/people/{ann.pk}/history/").status_code == 200


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    assert as_user(world.mallory).get(f"/people/{ann.pk}/history/").status_code == 404


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    ann = helpers.person(world)
    response = client.get(f"/people/{ann.pk}/history/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
) -> None:
    ann = helpers.person(world)
    for user in (world.bob, world.carol, world.dave):
        services.record_view(world.member(user), ann)
    client = as_user(world.erin)
    with django_assert_num_queries(10):  # type: ignore[operator]
        response = client.get(f"/people/{ann.pk}/history/")
    assert len(response.context["events"]) == 4
