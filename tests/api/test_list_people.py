"""GET /people: the list, its filters, and masked sensitive fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Company, Person
from tests.api.conftest import Api, body
from tests.conftest import World

NATIONAL_ID = "01019912345"
IBAN = "NO9386011117947"


@pytest.fixture
def people(world: World) -> dict[str, Person]:
    alice, bob = world.member(world.alice), world.member(world.bob)
    initech = customers.create_company(alice, {"name": "Initech"})
    return {
        "ada": customers.create_person(
            alice,
            {"first_name": "Ada", "last_name": "Lovelace", "company": initech.pk},
            {"national_id": NATIONAL_ID, "bank_account": IBAN},
        ),
        "alan": customers.create_person(
            bob, {"first_name": "Alan", "last_name": "Turing", "billing_country": "GB"}
        ),
        "grace": customers.create_person(
            alice, {"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.test"}
        ),
    }


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["full_name"] for item in body(response)["items"]]


def test_it_lists_with_masked_sensitive_fields(
    world: World, people: dict[str, Person], api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.frank).get("/people")
    assert names(response) == ["Grace Hopper", "Ada Lovelace", "Alan Turing"]
    ada = body(response)["items"][1]
    assert (ada["national_id"], ada["bank_account"]) == ("•••• 2345", "•••• 7947")
    assert ada["company"] == people["ada"].company_id
    assert body(response)["items"][0]["national_id"] == ""
    assert NATIONAL_ID.encode() not in response.content
    assert IBAN.encode() not in response.content


def test_it_filters(world: World, people: dict[str, Person], api_as: Callable[[User], Api]) -> None:
    bob = api_as(world.bob)
    company = Company.objects.get(workspace=world.acme, name="Initech")
    assert names(bob.get(f"/people?company={company.pk}")) == ["Ada Lovelace"]
    assert names(bob.get("/people?owner=me")) == ["Alan Turing"]
    assert names(bob.get("/people?q=grace@")) == ["Grace Hopper"]
    assert names(bob.get("/people?q=ada lov")) == ["Ada Lovelace"]
    assert names(bob.get("/people?country=gb")) == ["Alan Turing"]
    assert names(bob.get("/people?sort=-name&limit=2")) == ["Alan Turing", "Ada Lovelace"]
    assert bob.get("/people?company=0").status_code == 422


def test_it_hides_other_workspaces_and_the_trash(
    world: World, people: dict[str, Person], api_as: Callable[[User], Api]
) -> None:
    customers.trash(world.member(world.alice), people["grace"])
    assert names(api_as(world.alice).get("/people")) == ["Ada Lovelace", "Alan Turing"]
    assert names(api_as(world.mallory).get("/people")) == []


def test_it_uses_a_fixed_number_of_queries(
    world: World,
    people: dict[str, Person],
    api_as: Callable[[User], Api],
    django_assert_num_queries: Any,
) -> None:
    alice = api_as(world.alice)
    alice.get("/people")  # stamps the token and loads the data key
    # Token, membership, count, page, the page's tags, the custom field definitions.
    with django_assert_num_queries(6):
        assert len(names(alice.get("/people"))) == 3
    for n in range(10):
        customers.create_person(
            world.member(world.alice), {"last_name": f"More {n}"}, {"national_id": f"ID{n:06d}"}
        )
    with django_assert_num_queries(6):
        assert len(names(alice.get("/people?limit=200"))) == 13
