from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from tests.conftest import World
from tests.customers import helpers


def test_it_lists_people_with_their_columns(
    world: World, as_user: Callable[[User], Client]
) -> None:
    """The list shows name, company, email, phone, owner and the update time."""
    acme = helpers.company(world, name="Initech")
    helpers.person(
        world,
        first_name="Ann",
        last_name="Lee",
        company=acme.pk,
        email="ann@initech.test",
        phone="+47 22 33 44 55",
    )
    response = as_user(world.dave).get("/people/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ann Lee" in html
    assert "Initech" in html
    assert "ann@initech.test" in html
    assert "+47 22 33 44 55" in html
    assert 'data-label="Owner">Alice<' in html
    assert "1 person" in html


def test_it_filters_by_name_owner_company_and_country(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = helpers.company(world, name="Initech")
    helpers.person(world, first_name="Ann", last_name="Lee", company=initech.pk)
    helpers.person(world, world.bob, first_name="Bo", last_name="Berg", billing_country="NO")
    helpers.person(world, world.bob, first_name="Cy", last_name="Carr", billing_country="SE")
    client = as_user(world.bob)

    def names(query: str) -> list[str]:
        response = client.get(f"/people/?{query}")
        assert response.status_code == 200
        page = response.context["page"]
        return [p.full_name for p in page.items]

    assert names("q=Be") == ["Bo Berg"]
    assert names("q=ann+l") == ["Ann Lee"]
    assert names("owner=me") == ["Bo Berg", "Cy Carr"]
    assert names(f"owner={world.alice.pk}") == ["Ann Lee"]
    assert names(f"company={initech.pk}") == ["Ann Lee"]
    assert names("country=se") == ["Cy Carr"]
    assert names("owner=me&country=NO") == ["Bo Berg"]
    # Values that are not filters are ignored rather than failing.
    assert names("country=Sweden&owner=bogus") == ["Bo Berg", "Cy Carr", "Ann Lee"]


def test_it_sorts_by_name_both_ways_and_by_newest(
    world: World, as_user: Callable[[User], Client]
) -> None:
    for last in ("Berg", "Adams", "Carr"):
        helpers.person(world, last_name=last)
    client = as_user(world.alice)
    assert [p.last_name for p in client.get("/people/").context["page"].items] == [
        "Adams",
        "Berg",
        "Carr",
    ]
    assert [p.last_name for p in client.get("/people/?sort=-name").context["page"].items] == [
        "Carr",
        "Berg",
        "Adams",
    ]
    assert [p.last_name for p in client.get("/people/?sort=-created").context["page"].items] == [
        "Carr",
        "Adams",
        "Berg",
    ]
    html = client.get("/people/?sort=-name").content.decode()
    assert 'aria-sort="descending"' in html
    assert 'href="?sort=name"' in html


def test_it_pages_with_keyset_cursors(world: World, as_user: Callable[[User], Client]) -> None:
    for i in range(55):
        helpers.person(world, last_name=f"P{i:02d}")
    client = as_user(world.alice)
    first = client.get("/people/")
    page = first.context["page"]
    assert len(page.items) == 50
    assert page.total_label == "55"
    assert page.prev_cursor is None
    assert f'href="?after={page.next_cursor}"' in first.content.decode()
    second = client.get(f"/people/?after={page.next_cursor}")
    rest = second.context["page"]
    assert [p.last_name for p in rest.items] == [f"P{i:02d}" for i in range(50, 55)]
    assert rest.next_cursor is None
    back = client.get(f"/people/?before={rest.prev_cursor}").context["page"]
    assert [p.last_name for p in back.items] == [f"P{i:02d}" for i in range(50)]


def test_it_returns_only_the_rows_to_htmx(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.person(world, first_name="Ann", last_name="Lee")
    response = as_user(world.alice).get("/people/?q=Ann", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ann Lee" in html
    assert "<html" not in html
    assert 'class="filters"' not in html
    assert 'id="result-count" hx-swap-oob="innerHTML"' in html
    assert '<select id="list-sort" hx-swap-oob="innerHTML">' in html
    assert "HX-Request" in response["Vary"]


def test_it_shows_only_own_workspace(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.person(world, last_name="Acmeperson")
    response = as_user(world.mallory).get("/people/")
    assert response.status_code == 200
    assert "Acmeperson" not in response.content.decode()
    assert response.context["page"].total == 0


def test_it_hides_the_add_button_from_roles_that_cannot_create(
    world: World, as_user: Callable[[User], Client]
) -> None:
    assert "/people/new/" not in as_user(world.dave).get("/people/").content.decode()
    assert "/people/new/" in as_user(world.bob).get("/people/").content.decode()


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/people/"


def test_it_rejects_post(world: World, as_user: Callable[[User], Client]) -> None:
    assert as_user(world.alice).post("/people/").status_code == 405


@pytest.mark.parametrize("rows", [3, 30])
def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
    rows: int,
) -> None:
    """Session, user, membership, 2FA check, count, rows, owners, companies, workspaces, save."""
    initech = helpers.company(world)
    for i in range(rows):
        helpers.person(world, world.bob, last_name=f"P{i}", company=initech.pk)
    client = as_user(world.bob)
    with django_assert_num_queries(15):  # type: ignore[operator]
        response = client.get("/people/?owner=me")
    assert len(response.context["page"].items) == rows


def test_it_ignores_malformed_filters(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.person(world, last_name="Lee")
    client = as_user(world.alice)
    for query in (
        "owner=99999999999999999999999",
        "owner=²",
        "company=99999999999999999999999",
        "company=-1",
        "after=%00%FF",
        "before=W10",
        "sort=password",
    ):
        response = client.get(f"/people/?{query}")
        assert response.status_code == 200, query
        assert [p.last_name for p in response.context["page"].items] == ["Lee"], query
