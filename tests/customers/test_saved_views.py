"""Saved list views: save, use, share, and who may delete them."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import saved_views
from amity.customers.models import SavedView
from tests.conftest import World, tenant_guard_off


def _views() -> list[tuple[str, int, str, bool, dict[str, str]]]:
    with tenant_guard_off():
        return [
            (v.kind, v.owner_id, v.name, v.shared, v.params)
            for v in SavedView.objects.order_by("id")
        ]


def test_it_saves_the_lists_parameters(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.bob).post(
        "/people/views/",
        {
            "name": "  My  Oslo ",
            "q": "han",
            "owner": "me",
            "country": "NO",
            "sort": "-created",
            "cols": "email,bogus,title",
            "after": "cursor",
            "shared": "on",
        },
    )
    [view] = SavedView.objects.filter(workspace=world.acme)
    assert _views() == [
        (
            "person",
            world.bob.pk,
            "My Oslo",
            True,
            {"q": "han", "owner": "me", "country": "NO", "sort": "-created", "cols": "email,title"},
        ),
    ]
    assert response.status_code == 302
    assert response["Location"] == (
        f"/people/?q=han&owner=me&country=NO&sort=-created&cols=email%2Ctitle&view={view.pk}"
    )


def test_it_replaces_the_members_view_of_the_same_name(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    client.post("/people/views/", {"name": "Mine", "q": "a"})
    client.post("/people/views/", {"name": "Mine", "q": "b"})
    assert _views() == [("person", world.bob.pk, "Mine", False, {"q": "b"})]


def test_it_refuses_a_view_without_a_name(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.bob).post("/people/views/", {"name": "  ", "q": "a"})
    assert response.status_code == 302 and response["Location"] == "/people/?q=a"
    assert _views() == []


def test_the_list_offers_own_and_shared_views_only(
    world: World, as_user: Callable[[User], Client]
) -> None:
    bob, sam = world.member(world.bob), world.member(world.sam)
    saved_views.save(bob, "person", "Bob private", {"q": "b"})
    saved_views.save(sam, "person", "Sam shared", {"owner": "me"}, shared=True)
    saved_views.save(sam, "person", "Sam private", {"q": "s"})
    saved_views.save(sam, "company", "Sam companies", {"q": "c"}, shared=True)
    mallory = world.member(world.mallory, world.globex)
    saved_views.save(mallory, "person", "Globex shared", {}, shared=True)
    response = as_user(world.bob).get("/people/")
    assert [v.name for v, _url in response.context["saved_view_links"]] == [
        "Bob private",
        "Sam shared",
    ]
    assert "Sam private" not in response.content.decode()


def test_it_marks_the_view_in_use(world: World, as_user: Callable[[User], Client]) -> None:
    view = saved_views.save(world.member(world.bob), "person", "Hansens", {"q": "han"})
    response = as_user(world.bob).get(f"/people/?q=han&view={view.pk}")
    assert response.context["current_view"] == view
    assert 'aria-current="page">Hansens' in response.content.decode()


def test_only_its_owner_or_an_admin_deletes_a_shared_view(
    world: World, as_user: Callable[[User], Client]
) -> None:
    view = saved_views.save(world.member(world.sam), "person", "Team", {}, shared=True)
    assert as_user(world.bob).post(f"/views/{view.pk}/delete/", {"version": 1}).status_code == 403
    assert len(_views()) == 1
    response = as_user(world.alice).post(f"/views/{view.pk}/delete/", {"version": 1})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert _views() == []


def test_it_refuses_a_stale_delete(world: World, as_user: Callable[[User], Client]) -> None:
    member = world.member(world.bob)
    view = saved_views.save(member, "person", "Mine", {})
    saved_views.save(member, "person", "Mine", {"q": "x"})
    response = as_user(world.bob).post(f"/views/{view.pk}/delete/", {"version": 1})
    assert response.status_code == 302
    assert len(_views()) == 1


def test_another_workspace_cannot_reach_a_view(
    world: World, as_user: Callable[[User], Client]
) -> None:
    view = saved_views.save(world.member(world.alice), "person", "Shared", {}, shared=True)
    response = as_user(world.mallory).post(f"/views/{view.pk}/delete/", {"version": 1})
    assert response.status_code == 404
    assert len(_views()) == 1


def test_it_needs_a_login(world: World, client: Client) -> None:
    assert client.post("/people/views/", {"name": "x"})["Location"].startswith("/login/")
    assert _views() == []


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    assert as_user(world.bob).get("/people/views/?name=x").status_code == 405
    assert _views() == []
