"""GET /companies: the list, its filters, sort and keyset pages."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Company
from tests.api.conftest import Api, body, error_code
from tests.conftest import World


@pytest.fixture
def companies(world: World) -> dict[str, Company]:
    alice, bob = world.member(world.alice), world.member(world.bob)
    made = {
        "Initech": customers.create_company(alice, {"name": "Initech", "billing_country": "NO"}),
        "Hooli": customers.create_company(bob, {"name": "Hooli", "billing_country": "US"}),
        "Globo": customers.create_company(alice, {"name": "Globo", "owner": None}),
        "Acme Tools": customers.create_company(bob, {"name": "Acme Tools", "domain": "hooli.io"}),
    }
    customers.create_company(world.member(world.mallory, world.globex), {"name": "Hidden"})
    return made


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in body(response)["items"]]


def test_it_lists_by_name(
    world: World, companies: dict[str, Company], api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.dave).get("/companies")
    assert names(response) == ["Acme Tools", "Globo", "Hooli", "Initech"]
    data = body(response)
    assert (data["total"], data["total_is_capped"], data["next"], data["prev"]) == (
        4,
        False,
        None,
        None,
    )
    initech = companies["Initech"]
    assert data["items"][3] == {
        "id": initech.pk,
        "name": "Initech",
        "domain": "",
        "industry": "",
        "website": "",
        "phone": "",
        "email": "",
        "owner": world.alice.pk,
        "version": 1,
        "created_at": initech.created_at.astimezone(timezone.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "updated_at": initech.updated_at.astimezone(timezone.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "billing_street": "",
        "billing_city": "",
        "billing_postal_code": "",
        "billing_region": "",
        "billing_country": "NO",
        "shipping_street": "",
        "shipping_city": "",
        "shipping_postal_code": "",
        "shipping_region": "",
        "shipping_country": "",
        "other_street": "",
        "other_city": "",
        "other_postal_code": "",
        "other_region": "",
        "other_country": "",
        "size": "",
        "lifecycle_stage": "",
        "tags": [],
        "custom": {},
    }


def test_it_filters(
    world: World, companies: dict[str, Company], api_as: Callable[[User], Api]
) -> None:
    bob = api_as(world.bob)
    assert names(bob.get("/companies?q=hoo")) == ["Acme Tools", "Hooli"]
    assert names(bob.get("/companies?owner=me")) == ["Acme Tools", "Hooli"]
    assert names(bob.get(f"/companies?owner={world.alice.pk}")) == ["Initech"]
    assert names(bob.get("/companies?owner=none")) == ["Globo"]
    assert names(bob.get("/companies?country=no")) == ["Initech"]
    assert names(bob.get("/companies?sort=-name")) == ["Initech", "Hooli", "Globo", "Acme Tools"]
    assert names(bob.get("/companies?sort=created")) == ["Initech", "Hooli", "Globo", "Acme Tools"]
    assert names(bob.get("/companies?sort=-created")) == [
        "Acme Tools",
        "Globo",
        "Hooli",
        "Initech",
    ]


def test_it_pages_with_cursors(
    world: World, companies: dict[str, Company], api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    first = alice.get("/companies?limit=3")
    assert names(first) == ["Acme Tools", "Globo", "Hooli"]
    cursor = body(first)["next"]
    assert cursor and body(first)["prev"] is None
    second = alice.get(f"/companies?limit=3&after={cursor}")
    assert names(second) == ["Initech"]
    assert body(second)["next"] is None and body(second)["total"] == 4
    back = alice.get(f"/companies?limit=3&before={body(second)['prev']}")
    assert names(back) == ["Acme Tools", "Globo", "Hooli"]


def test_it_refuses_bad_parameters(world: World, api_as: Callable[[User], Api]) -> None:
    alice = api_as(world.alice)
    for query, field in [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("sort=owner", "sort"),
        ("owner=someone", "owner"),
        ("country=NOR", "country"),
        ("after=not%20base64", "after"),
        ("q=a%00b", "q"),
    ]:
        response = alice.get(f"/companies?{query}")
        assert response.status_code == 422, query
        assert error_code(response) == "invalid"
        assert list(body(response)["error"]["fields"]) == [field], query


def test_it_ignores_a_forged_cursor(
    world: World, companies: dict[str, Company], api_as: Callable[[User], Api]
) -> None:
    assert len(names(api_as(world.alice).get("/companies?after=bm90LWpzb24"))) == 4


def test_it_hides_other_workspaces(
    world: World, companies: dict[str, Company], api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.mallory).get("/companies")
    assert names(response) == ["Hidden"]


def test_it_uses_a_fixed_number_of_queries(
    world: World,
    companies: dict[str, Company],
    api_as: Callable[[User], Api],
    django_assert_num_queries: Any,
) -> None:
    alice = api_as(world.alice)
    alice.get("/companies")  # first use stamps the token's last_used_at
    # Token, membership, count, page, the page's tags, the custom field definitions.
    with django_assert_num_queries(6):
        assert len(names(alice.get("/companies"))) == 4
    for n in range(20):
        customers.create_company(world.member(world.alice), {"name": f"More {n}"})
    with django_assert_num_queries(6):
        assert len(names(alice.get("/companies?limit=200"))) == 24


def test_it_ignores_a_cursor_forged_with_a_nul(
    world: World, companies: dict[str, Company], api_as: Callable[[User], Api]
) -> None:
    """PostgreSQL refuses NUL in text; a forged cursor must not become a 500."""
    cursor = base64.urlsafe_b64encode(json.dumps(["a\x00", 1]).encode()).decode().rstrip("=")
    assert len(names(api_as(world.alice).get(f"/companies?after={cursor}"))) == 4
