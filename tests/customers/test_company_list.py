from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from tests.conftest import World
from tests.customers import helpers


def test_it_lists_companies(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.company(world, name="Initech", domain="initech.test", email="hi@initech.test")
    response = as_user(world.dave).get("/companies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Initech" in html
    assert "initech.test" in html
    assert "hi@initech.test" in html
    assert "1 company" in html


def test_it_filters_and_sorts(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.company(world, name="Alpha", billing_country="NO")
    helpers.company(world, world.bob, name="Beta", domain="beta.test")
    helpers.company(world, world.bob, name="Gamma", billing_country="NO")
    client = as_user(world.bob)

    def names(query: str) -> list[str]:
        return [c.name for c in client.get(f"/companies/?{query}").context["page"].items]

    assert names("") == ["Alpha", "Beta", "Gamma"]
    assert names("sort=-name") == ["Gamma", "Beta", "Alpha"]
    assert names("q=beta.t") == ["Beta"]
    assert names("owner=me") == ["Beta", "Gamma"]
    assert names("country=no") == ["Alpha", "Gamma"]
    assert names("owner=me&country=NO") == ["Gamma"]


def test_it_returns_only_the_rows_to_htmx(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.company(world, name="Initech")
    html = as_user(world.alice).get("/companies/", HTTP_HX_REQUEST="true").content.decode()
    assert "Initech" in html
    assert "<html" not in html


def test_it_shows_only_own_workspace(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.company(world, name="Initech")
    response = as_user(world.mallory).get("/companies/")
    assert response.context["page"].total == 0
    assert "Initech" not in response.content.decode()


def test_it_hides_the_add_button_from_roles_that_cannot_create(
    world: World, as_user: Callable[[User], Client]
) -> None:
    assert "/companies/new/" not in as_user(world.frank).get("/companies/").content.decode()
    assert "/companies/new/" in as_user(world.carol).get("/companies/").content.decode()


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    response = client.get("/companies/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/companies/"


@pytest.mark.parametrize("rows", [2, 25])
def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
    rows: int,
) -> None:
    for i in range(rows):
        helpers.company(world, name=f"C{i}")
    client = as_user(world.dave)
    with django_assert_num_queries(14):  # type: ignore[operator]
        response = client.get("/companies/")
    assert len(response.context["page"].items) == rows
