"""GET /api/v1/search: the same search as the page, as JSON."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amity.core.models import User
from tests.api.conftest import Api, body, token_for
from tests.conftest import World
from tests.customers import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(world: World) -> Callable[[User], Api]:
    return lambda user: Api(token_for(world, user))


def test_it_answers_hits_best_first(world: World, api_as: Callable[[User], Api]) -> None:
    fjord = helpers.company(world, name="Fjord Shipping")
    ola = helpers.person(world, first_name="Ola", last_name="Fjord", company=fjord.pk)
    response = api_as(world.dave).get("/search?q=fjord")
    assert response.status_code == 200
    assert body(response) == {
        "items": [
            {
                "type": "company",
                "id": fjord.pk,
                "title": "Fjord Shipping",
                "subtitle": "",
                "url": f"/companies/{fjord.pk}/",
            },
            {
                "type": "person",
                "id": ola.pk,
                "title": "Ola Fjord",
                "subtitle": "Fjord Shipping",
                "url": f"/people/{ola.pk}/",
            },
        ],
        "more": False,
    }


def test_it_filters_by_type_and_limits(world: World, api_as: Callable[[User], Api]) -> None:
    helpers.company(world, name="Nova Co")
    for n in range(3):
        helpers.person(world, last_name=f"Nova{n}")
    api = api_as(world.dave)
    assert [h["type"] for h in body(api.get("/search?q=nova&types=company"))["items"]] == [
        "company"
    ]
    page = body(api.get("/search?q=nova&types=person&limit=2"))
    assert len(page["items"]) == 2
    assert page["more"] is True


def test_it_never_answers_another_workspace(world: World, api_as: Callable[[User], Api]) -> None:
    helpers.person(world, last_name="Acmeonly")
    assert body(api_as(world.mallory).get("/search?q=acmeonly")) == {"items": [], "more": False}


def test_it_refuses_bad_input(world: World, api_as: Callable[[User], Api]) -> None:
    api = api_as(world.dave)
    assert api.get("/search?q=x&limit=0").status_code == 422
    assert api.get("/search?q=x&limit=51").status_code == 422
    assert api.get("/search?q=x&types=PERSON;").status_code == 422
    assert api.get("/search?q=" + "x" * 201).status_code == 422
    assert body(api.get("/search?q=")) == {"items": [], "more": False}


def test_it_needs_a_token(world: World) -> None:
    assert Api(None).get("/search?q=x").status_code == 401
