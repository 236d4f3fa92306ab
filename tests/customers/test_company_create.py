from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers.models import Company
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _companies() -> list[Company]:
    with tenant_guard_off():
        return list(Company.objects.order_by("pk"))


def test_it_creates_a_company(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.carol).post(
        "/companies/new/",
        {"name": "Initech", "website": "https://initech.test", "owner": world.carol.pk},
    )
    [initech] = _companies()
    assert response.status_code == 302
    assert response["Location"] == f"/companies/{initech.pk}/"
    assert (initech.name, initech.website, initech.owner_id, initech.workspace_id) == (
        "Initech",
        "https://initech.test",
        world.carol.pk,
        world.acme.pk,
    )
    assert len(helpers.events("create", initech)) == 1


def test_it_shows_errors_next_to_fields(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.carol).post("/companies/new/", {"name": "", "website": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert 'id="id_website_error"' in html
    assert _companies() == []


def test_it_requires_the_create_permission(world: World, as_user: Callable[[User], Client]) -> None:
    for user in (world.dave, world.frank):
        client = as_user(user)
        assert client.get("/companies/new/").status_code == 403
        assert client.post("/companies/new/", {"name": "Initech"}).status_code == 403
    assert _companies() == []


def test_it_creates_in_the_users_own_workspace_only(
    world: World, as_user: Callable[[User], Client]
) -> None:
    as_user(world.mallory).post("/companies/new/", {"name": "Umbrella"})
    [umbrella] = _companies()
    assert umbrella.workspace_id == world.globex.pk


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    response = client.post("/companies/new/", {"name": "Initech"})
    assert response.status_code == 302
    assert _companies() == []
