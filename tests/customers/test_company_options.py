from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_returns_matching_companies_as_options(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = helpers.company(world, name="Initech")
    helpers.company(world, name="Intertrode")
    helpers.company(world, name="Globochem")
    response = as_user(world.bob).get("/companies/options/?company_q=in", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{initech.pk}">Initech</option>' in html
    assert "Intertrode" in html
    assert "Globochem" not in html


def test_it_keeps_the_selected_company(world: World, as_user: Callable[[User], Client]) -> None:
    globo = helpers.company(world, name="Globochem")
    html = (
        as_user(world.bob)
        .get(f"/companies/options/?company_q=zzz&company={globo.pk}")
        .content.decode()
    )
    assert f'<option value="{globo.pk}" selected>Globochem</option>' in html


def test_it_never_offers_other_workspaces_companies(
    world: World, as_user: Callable[[User], Client]
) -> None:
    umbrella = services.create_company(world.member(world.mallory, world.globex), {"name": "Umb"})
    html = (
        as_user(world.alice)
        .get(f"/companies/options/?company_q=U&company={umbrella.pk}")
        .content.decode()
    )
    assert "Umb" not in html


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    assert client.get("/companies/options/?company_q=a").status_code == 302
