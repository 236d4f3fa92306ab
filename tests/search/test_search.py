"""The search page at /search/ and its quick-results fragment for the top bar."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from tests.conftest import World
from tests.customers import helpers
from tests.search.helpers import member_with_grants

pytestmark = pytest.mark.django_db


def test_it_groups_hits_by_type_with_links(world: World, as_user: Callable[[User], Client]) -> None:
    fjord = helpers.company(world, name="Fjord Shipping")
    ola = helpers.person(world, first_name="Ola", last_name="Fjordheim", company=fjord.pk)
    response = as_user(world.dave).get("/search/?q=fjord")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="search-group-company"' in html
    assert 'id="search-group-person"' in html
    assert html.index("search-group-company") < html.index("search-group-person")
    assert f'<a href="/companies/{fjord.pk}/">Fjord Shipping</a>' in html
    assert f'<a href="/people/{ola.pk}/">Ola Fjordheim</a>' in html
    assert 'value="fjord"' in html


def test_it_says_when_nothing_matches(world: World, as_user: Callable[[User], Client]) -> None:
    html = as_user(world.dave).get("/search/?q=nobody").content.decode()
    assert "Nothing matches “nobody”." in html
    html = as_user(world.dave).get("/search/").content.decode()
    assert "Type part of a name" in html


def test_it_caps_the_hits_and_says_so(world: World, as_user: Callable[[User], Client]) -> None:
    for n in range(51):
        helpers.person(world, last_name=f"Many{n}")
    response = as_user(world.dave).get("/search/?q=many")
    assert len(response.context["hits"]) == 50
    assert "Showing the best 50 matches." in response.content.decode()


def test_it_renders_only_the_dropdown_to_htmx(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ola = helpers.person(world, first_name="Ola", last_name="Hansen")
    response = as_user(world.dave).get(
        "/search/?q=hans", headers={"HX-Request": "true", "HX-Target": "search-dropdown"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert f'<li role="option" id="search-option-person-{ola.pk}"' in html
    assert f'href="/people/{ola.pk}/"' in html
    assert 'href="/search/?q=hans"' in html
    assert "HX-Target" in response["Vary"]


def test_it_escapes_the_query(world: World, as_user: Callable[[User], Client]) -> None:
    html = as_user(world.dave).get("/search/?q=<script>x</script>").content.decode()
    assert "<script>x" not in html
    assert "&lt;script&gt;x" in html


def test_it_shows_only_what_the_member_may_see(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, last_name="Secretperson")
    helpers.company(world, name="Secretperson Inc")
    html = as_user(world.mallory).get("/search/?q=secretperson").content.decode()
    assert "Secretperson" not in html.replace('value="secretperson"', "")
    companies_only = member_with_grants(world, "co@acme.test", {"company": {"view": "all"}})
    html = as_user(companies_only.user).get("/search/?q=secretperson").content.decode()
    assert "Secretperson Inc" in html
    assert 'id="search-group-person"' not in html


def test_it_sends_anonymous_users_to_the_login(client: Client, world: World) -> None:
    response = client.get("/search/?q=x")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_refuses_posts(world: World, as_user: Callable[[User], Client]) -> None:
    assert as_user(world.dave).post("/search/", {"q": "x"}).status_code == 405


@pytest.mark.parametrize("rows", [1, 20])
def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
    rows: int,
) -> None:
    """The shell's queries, two index reads (prefix, typo), one per type shown: constant."""
    fjord = helpers.company(world, name="Fjord Co")
    for n in range(rows):
        helpers.person(world, last_name=f"Fjord{n}", company=fjord.pk)
    client = as_user(world.dave)
    client.get("/search/?q=fjord")
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = client.get("/search/?q=fjord")
    assert len(response.context["hits"]) == rows + 1
