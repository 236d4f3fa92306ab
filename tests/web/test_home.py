from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core import services as core_services
from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_counts_what_the_member_can_see(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.company(world, name="Initech")
    helpers.company(world, name="Globochem")
    for i in range(3):
        helpers.person(world, last_name=f"P{i}")
    trashed = helpers.person(world, last_name="Gone")
    services.trash(world.member(world.alice), trashed)
    response = as_user(world.dave).get("/")
    assert response.status_code == 200
    assert [(s["kind"], s["count"]) for s in response.context["sections"]] == [
        ("company", "2"),
        ("person", "3"),
    ]


def test_it_lists_the_members_recently_updated_records(
    world: World, as_user: Callable[[User], Client]
) -> None:
    older = helpers.person(world, world.bob, last_name="Older")
    helpers.person(world, world.bob, last_name="Newer")
    helpers.person(world, world.alice, last_name="Someone else's")
    services.update_person(world.member(world.bob), older, {"title": "CEO"}, expected_version=1)
    response = as_user(world.bob).get("/")
    people = response.context["sections"][1]
    assert [p.last_name for p in people["recent"]] == ["Older", "Newer"]
    html = response.content.decode()
    assert f'href="/people/{older.pk}/"' in html


def test_it_offers_quick_links_to_create_only_when_allowed(
    world: World, as_user: Callable[[User], Client]
) -> None:
    html = as_user(world.bob).get("/").content.decode()
    assert 'href="/people/new/"' in html
    assert 'href="/companies/new/"' in html
    html = as_user(world.dave).get("/").content.decode()
    assert 'href="/people/new/"' not in html
    assert 'href="/companies/new/"' not in html


def test_it_shows_only_own_workspace(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.person(world, last_name="Acme")
    response = as_user(world.mallory).get("/")
    assert [s["count"] for s in response.context["sections"]] == ["0", "0"]


def test_it_greets_a_user_without_a_workspace(client: Client, world: World) -> None:
    loner = User.objects.create_user("loner@example.test", "a long enough pass phrase")
    client.force_login(loner)
    session = client.session
    session["epoch"] = loner.session_epoch
    session["started_at"] = 10**10
    session.save()
    response = client.get("/")
    assert response.status_code == 200
    assert "not a member of any workspace" in response.content.decode()


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
) -> None:
    for i in range(4):
        helpers.person(world, world.bob, last_name=f"P{i}")
        helpers.company(world, world.bob, name=f"C{i}")
    client = as_user(world.bob)
    client.get("/")  # the first request after login also renews the idle timer
    with django_assert_num_queries(9):  # type: ignore[operator]
        client.get("/")
    core_services.add_member(world.globex, world.bob, "readonly")
    with django_assert_num_queries(9):  # type: ignore[operator]
        client.get("/")
