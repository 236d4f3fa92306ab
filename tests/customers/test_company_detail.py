from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_shows_the_company_and_its_people(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = helpers.company(
        world, name="Initech", website="https://initech.test", shipping_city="Bergen"
    )
    helpers.person(world, first_name="Ann", company=initech.pk)
    helpers.person(world, first_name="Bo", last_name="Berg")
    response = as_user(world.dave).get(f"/companies/{initech.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Initech</h1>" in html
    assert "https://initech.test" in html
    assert "Bergen" in html
    assert "Ann Lee" in html
    assert "Bo Berg" not in html
    assert f"/companies/{initech.pk}/edit/" not in html


def test_it_records_a_view_event(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    as_user(world.bob).get(f"/companies/{initech.pk}/")
    assert [e.actor_id for e in helpers.events("view", initech)] == [world.bob.pk]


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    assert as_user(world.mallory).get(f"/companies/{initech.pk}/").status_code == 404
    assert helpers.events("view", initech) == []


def test_it_hides_trashed_companies(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    services.trash(world.member(world.alice), initech)
    assert as_user(world.alice).get(f"/companies/{initech.pk}/").status_code == 404


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    initech = helpers.company(world)
    assert client.get(f"/companies/{initech.pk}/").status_code == 302


@pytest.mark.parametrize("people", [1, 12])
def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
    people: int,
) -> None:
    """Session, user, membership, 2FA check, company, view event (six), people count and rows,
    workspaces, session save (three), one timeline page (its people's entries included), one
    query per registered panel (possible duplicates, merged from)."""
    initech = helpers.company(world)
    for i in range(people):
        helpers.person(world, last_name=f"P{i}", company=initech.pk)
    client = as_user(world.dave)
    with django_assert_num_queries(24):  # type: ignore[operator]  # +1 Deals, +3 record panels
        response = client.get(f"/companies/{initech.pk}/")
    assert len(response.context["people"].items) == people
