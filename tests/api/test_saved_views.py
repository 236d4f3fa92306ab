"""/api/v1/saved-views: save, list, change with If-Match, delete."""

from __future__ import annotations

from collections.abc import Callable

from amity.core.models import User
from amity.customers import saved_views
from amity.customers.models import SavedView
from tests.api.conftest import Api, body, error_code
from tests.conftest import World


def test_it_saves_and_lists_views(world: World, api_as: Callable[[User], Api]) -> None:
    api = api_as(world.bob)
    response = api.post(
        "/saved-views",
        {
            "kind": "person",
            "name": "Oslo",
            "shared": True,
            "params": {"country": "no", "cols": "email,bogus"},
        },
    )
    assert response.status_code == 201
    created = body(response)
    assert (created["name"], created["shared"], created["params"]) == (
        "Oslo",
        True,
        {"country": "no", "cols": "email"},
    )
    assert response["ETag"] == f'"savedview-{created["id"]}-v1"'
    assert response["Location"] == f"/api/v1/saved-views/{created['id']}"
    listed = body(api_as(world.sam).get("/saved-views?kind=person"))["items"]
    assert [v["name"] for v in listed] == ["Oslo"]
    assert body(api_as(world.sam).get("/saved-views?kind=company"))["items"] == []


def test_it_refuses_unknown_fields(world: World, api_as: Callable[[User], Api]) -> None:
    response = api_as(world.bob).post(
        "/saved-views", {"kind": "person", "name": "X", "owner": world.alice.pk}
    )
    assert response.status_code == 422
    assert SavedView.objects.filter(workspace=world.acme).count() == 0


def test_it_changes_a_view_at_the_version_read(world: World, api_as: Callable[[User], Api]) -> None:
    view = saved_views.save(world.member(world.bob), "person", "Mine", {"q": "a"})
    api = api_as(world.bob)
    assert api.patch(f"/saved-views/{view.pk}", {"name": "New"}).status_code == 428
    response = api.patch(
        f"/saved-views/{view.pk}",
        {"name": "New"},
        headers={"If-Match": f'"savedview-{view.pk}-v1"'},
    )
    assert response.status_code == 200 and body(response)["name"] == "New"
    stale = api.patch(
        f"/saved-views/{view.pk}",
        {"shared": True},
        headers={"If-Match": f'"savedview-{view.pk}-v1"'},
    )
    assert stale.status_code == 412
    assert SavedView.objects.get(pk=view.pk, workspace=world.acme).shared is False


def test_a_colleague_cannot_change_a_shared_view(
    world: World, api_as: Callable[[User], Api]
) -> None:
    view = saved_views.save(world.member(world.sam), "person", "Team", {}, shared=True)
    etag = {"If-Match": f'"savedview-{view.pk}-v1"'}
    bob = api_as(world.bob)
    assert bob.get(f"/saved-views/{view.pk}").status_code == 200
    assert bob.delete(f"/saved-views/{view.pk}", headers=etag).status_code == 403
    assert error_code(bob.patch(f"/saved-views/{view.pk}", {"name": "x"}, etag)) == "forbidden"
    assert api_as(world.alice).delete(f"/saved-views/{view.pk}", headers=etag).status_code == 204
    assert SavedView.objects.filter(workspace=world.acme).count() == 0


def test_a_private_view_is_hidden_from_everyone_else(
    world: World, api_as: Callable[[User], Api]
) -> None:
    view = saved_views.save(world.member(world.sam), "person", "Private", {})
    assert api_as(world.alice).get(f"/saved-views/{view.pk}").status_code == 404
    assert api_as(world.mallory).get(f"/saved-views/{view.pk}").status_code == 404
