from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_lists_deleted_people_with_their_purge_date(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, first_name="Ann")
    helpers.person(world, first_name="Kept")
    services.trash(world.member(world.erin), ann)
    deleted_at = helpers.reload(ann).deleted_at
    response = as_user(world.alice).get("/trash/")
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["record"].pk == ann.pk
    assert row["purge_at"] == deleted_at + timedelta(days=30)
    html = response.content.decode()
    assert "Ann Lee" in html
    assert "Kept" not in html
    assert "Erin" in html
    assert f"/trash/people/{ann.pk}/restore/" in html


def test_it_lists_deleted_companies(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world, name="Initech")
    services.trash(world.member(world.alice), initech)
    response = as_user(world.alice).get("/trash/?kind=company")
    assert [r["record"].pk for r in response.context["rows"]] == [initech.pk]


def test_it_shows_sales_only_what_they_may_restore(
    world: World, as_user: Callable[[User], Client]
) -> None:
    mine = helpers.person(world, world.bob, last_name="Mine")
    theirs = helpers.person(world, world.alice, last_name="Theirs")
    services.trash(world.member(world.alice), mine)
    services.trash(world.member(world.alice), theirs)
    response = as_user(world.bob).get("/trash/")
    assert [r["record"].pk for r in response.context["rows"]] == [mine.pk]


def test_it_restores(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    services.trash(world.member(world.alice), ann)
    response = as_user(world.erin).post(f"/trash/people/{ann.pk}/restore/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{ann.pk}/"
    assert helpers.reload(ann).deleted_at is None
    assert len(helpers.events("restore", ann)) == 1


def test_it_restores_companies(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    services.trash(world.member(world.alice), initech)
    as_user(world.alice).post(f"/trash/companies/{initech.pk}/restore/")
    assert helpers.reload(initech).deleted_at is None


def test_it_requires_delete_permission(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    services.trash(world.member(world.alice), ann)
    for user in (world.carol, world.dave):
        client = as_user(user)
        assert client.get("/trash/").status_code == 403
        assert client.post(f"/trash/people/{ann.pk}/restore/").status_code == 403
    # Sales may restore their own only.
    assert as_user(world.bob).post(f"/trash/people/{ann.pk}/restore/").status_code == 403
    assert helpers.reload(ann).deleted_at is not None
    assert helpers.events("restore", ann) == []


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    services.trash(world.member(world.alice), ann)
    client = as_user(world.mallory)
    assert client.get("/trash/").context["rows"] == []
    assert client.post(f"/trash/people/{ann.pk}/restore/").status_code == 404
    assert client.post(f"/trash/companies/{ann.pk}/restore/").status_code == 404
    assert helpers.reload(ann).deleted_at is not None


def test_it_only_restores_by_post(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    services.trash(world.member(world.alice), ann)
    assert as_user(world.alice).get(f"/trash/people/{ann.pk}/restore/").status_code == 405
    assert helpers.reload(ann).deleted_at is not None


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    ann = helpers.person(world)
    services.trash(world.member(world.alice), ann)
    assert client.get("/trash/").status_code == 302
    response = client.post(f"/trash/people/{ann.pk}/restore/")
    assert response.status_code == 302
    assert helpers.reload(ann).deleted_at is not None


def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
) -> None:
    member = world.member(world.alice)
    for i in range(5):
        services.trash(member, helpers.person(world, last_name=f"P{i}"))
    client = as_user(world.alice)
    with django_assert_num_queries(10):  # type: ignore[operator]
        response = client.get("/trash/")
    assert len(response.context["rows"]) == 5
