"""GET /api/v1/people/{id}/timeline and /companies/{id}/timeline."""

from __future__ import annotations

from django.test import Client

from amity.core import services as core_services
from amity.customers import timeline
from tests.conftest import World
from tests.customers import helpers


def _get(world: World, user: object, path: str) -> object:
    workspace = world.globex if user == world.mallory else world.acme
    _, raw = core_services.create_token(world.member(user, workspace), "t")  # type: ignore[arg-type]
    return Client().get(path, headers={"Authorization": f"Bearer {raw}"})


def test_it_returns_a_page_newest_first(world: World) -> None:
    ann = helpers.person(world)
    for i in range(3):
        timeline.add(world.acme, ann, timeline.Kind.CALL, f"Call {i}", actor=world.bob)
    response = _get(world, world.dave, f"/api/v1/people/{ann.pk}/timeline?limit=2")
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert [i["summary"] for i in body["items"]] == ["Call 2", "Call 1"]
    assert body["items"][0]["actor"] == world.bob.pk
    more = _get(
        world, world.dave, f"/api/v1/people/{ann.pk}/timeline?limit=2&before={body['next']}"
    )
    assert [i["summary"] for i in more.json()["items"]] == ["Call 0", "Created"]  # type: ignore[attr-defined]
    assert more.json()["next"] is None  # type: ignore[attr-defined]


def test_it_filters_by_kinds(world: World) -> None:
    initech = helpers.company(world)
    timeline.add(world.acme, initech, timeline.Kind.ORDER, "Order 7")
    response = _get(world, world.dave, f"/api/v1/companies/{initech.pk}/timeline?kinds=order,call")
    assert [i["summary"] for i in response.json()["items"]] == ["Order 7"]  # type: ignore[attr-defined]


def test_it_hides_another_workspaces_timeline(world: World) -> None:
    ann = helpers.person(world)
    response = _get(world, world.mallory, f"/api/v1/people/{ann.pk}/timeline")
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert Client().get(f"/api/v1/people/{ann.pk}/timeline").status_code == 401
