"""Filtering lists by several tags and by multi-select custom fields, any-of or all-of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import custom_fields, selectors
from amity.customers.models import CustomField, SavedView
from tests.api.conftest import Api, body, token_for
from tests.conftest import World
from tests.customers import helpers


def _define(world: World, target: str = "person") -> CustomField:
    data = {
        "target": target,
        "key": "langs",
        "label": "Languages",
        "type": "multi_select",
        "options": ["Norsk", "English", "Français"],
    }
    return custom_fields.create_definition(world.member(world.alice), data)


@pytest.fixture
def people(world: World) -> None:
    _define(world)
    helpers.person(world, last_name="A", tags=["VIP", "Lead"], custom={"langs": ["Norsk"]})
    helpers.person(world, last_name="B", tags=["VIP"], custom={"langs": ["Norsk", "English"]})
    helpers.person(world, last_name="C", tags=["Lead"], custom={"langs": ["Français"]})
    helpers.person(world, last_name="D")


def _names(world: World, data: dict[str, Any]) -> list[str]:
    params = selectors.params_from_query(data, selectors.PERSON_SORTS)
    page = selectors.people(world.member(world.dave), params)
    return [p.last_name for p in page.items]


def test_it_filters_by_any_or_all_of_several_tags(world: World, people: None) -> None:
    assert _names(world, {"tag": ["vip", "Lead"]}) == ["A", "B", "C"]
    assert _names(world, {"tag": ["VIP", "lead"], "tag_mode": "all"}) == ["A"]
    assert _names(world, {"tag": "VIP\nLead", "tag_mode": "all"}) == ["A"]
    assert _names(world, {"tag": "VIP"}) == ["A", "B"]
    assert _names(world, {"tag": ["Nope"]}) == []


def test_it_filters_by_any_or_all_of_a_multi_select(world: World, people: None) -> None:
    assert _names(world, {"cf_langs": ["Norsk", "Français"]}) == ["A", "B", "C"]
    assert _names(world, {"cf_langs": ["Norsk", "English"], "cf_langs_mode": "all"}) == ["B"]
    assert _names(world, {"cf_langs": ["English"]}) == ["B"]
    # An option the field does not have is ignored rather than matching nothing.
    assert _names(world, {"cf_langs": ["Klingon"]}) == ["A", "B", "C", "D"]
    # A value is matched whole: "Nor" is not "Norsk".
    assert _names(world, {"cf_langs": ["Nor"]}) == ["A", "B", "C", "D"]


def test_the_list_screen_filters_and_keeps_the_choices(
    world: World, people: None, as_user: Callable[[User], Client]
) -> None:
    response = as_user(world.dave).get(
        "/people/?tag=VIP&tag=Lead&tag_mode=all&cf_langs=Norsk&cf_langs_mode=all"
    )
    assert [p.last_name for p in response.context["page"].items] == ["A"]
    page = response.content.decode()
    assert 'name="tag" value="VIP" checked' in page
    assert 'name="cf_langs" value="Norsk" checked' in page
    assert 'name="cf_langs" value="English">' in page
    assert '<option value="all" selected>all of these tags</option>' in page


def test_a_saved_view_keeps_several_values(
    world: World, people: None, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    response = client.post(
        "/people/views/",
        {"name": "Polyglots", "tag": ["VIP", "Lead"], "cf_langs": ["Norsk", "English"]},
    )
    view = SavedView.objects.get(workspace=world.acme)
    assert view.params == {"tag": "VIP\nLead", "cf_langs": "Norsk\nEnglish"}
    assert response["Location"] == (
        f"/people/?tag=VIP&tag=Lead&cf_langs=Norsk&cf_langs=English&view={view.pk}"
    )
    listed = client.get(response["Location"])
    assert [p.last_name for p in listed.context["page"].items] == ["A", "B"]


def test_the_api_filters_by_several_tags_and_a_multi_select(world: World, people: None) -> None:
    api = Api(token_for(world, world.dave))
    found = body(api.get("/people?tags=VIP&tags=Lead&tag_mode=all"))
    assert [p["last_name"] for p in found["items"]] == ["A"]
    found = body(api.get("/people?cf_langs=English&cf_langs=Fran%C3%A7ais"))
    assert [p["last_name"] for p in found["items"]] == ["B", "C"]
    found = body(api.get("/people?cf_langs=Norsk&cf_langs=English&cf_langs_mode=all"))
    assert [p["last_name"] for p in found["items"]] == ["B"]
    response = api.post(
        "/saved-views",
        {
            "kind": "person",
            "name": "API view",
            "params": {"tags": ["VIP", "Lead"], "custom": {"langs": ["Norsk", "English"]}},
        },
    )
    assert body(response)["params"] == {"tag": "VIP\nLead", "cf_langs": "Norsk\nEnglish"}


@pytest.mark.parametrize("rows", [2, 20])
def test_a_filtered_list_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., Any],
    rows: int,
) -> None:
    _define(world)
    for i in range(rows):
        helpers.person(world, last_name=f"P{i}", tags=["VIP", "Lead"], custom={"langs": ["Norsk"]})
    client = as_user(world.dave)
    url = "/people/?tag=VIP&tag=Lead&tag_mode=all&cf_langs=Norsk&cf_langs=English"
    client.get(url)
    with django_assert_num_queries(13):
        response = client.get(url)
    assert len(response.context["page"].items) == rows
