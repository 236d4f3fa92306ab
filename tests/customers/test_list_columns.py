"""Choosing the columns of the people and companies lists."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import columns
from tests.conftest import World
from tests.customers import helpers


def _headers(html: str) -> list[str]:
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", head, re.S)
    return [re.sub(r"<[^>]+>", "", c).split("(")[0].strip().rstrip("▲▼ ").strip() for c in cells]


def test_it_shows_the_default_columns(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.person(world, last_name="Hansen")
    html = as_user(world.alice).get("/people/").content.decode()
    assert _headers(html) == ["Name", "Company", "Email", "Phone", "Owner", "Added", "Updated"]


def test_it_shows_the_chosen_columns_in_their_order(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, last_name="Hansen", title="CFO", mobile="+47 22 33 44 55")
    html = as_user(world.alice).get("/people/?cols=title&cols=mobile,bogus").content.decode()
    assert _headers(html) == ["Name", "Job title", "Mobile"]
    assert '<td data-label="Job title">CFO</td>' in html
    assert "+47 22 33 44 55" in html


def test_filters_keep_the_chosen_columns(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.company(world, name="Fjord", industry="Shipping")
    html = as_user(world.alice).get("/companies/?cols=industry,domain").content.decode()
    assert _headers(html) == ["Name", "Industry", "Domain"]
    assert '<input type="hidden" name="cols" value="industry,domain">' in html


@pytest.mark.parametrize("people", [1, 5])
def test_extra_columns_cost_no_query(
    world: World,
    as_user: Callable[[User], Client],
    people: int,
    django_assert_num_queries: Callable[..., object],
) -> None:
    firm = helpers.company(world, name="Fjord")
    for i in range(people):
        helpers.person(world, last_name=f"P{i}", company=firm.pk)
    client = as_user(world.alice)
    client.get("/people/")
    every = ",".join(c.key for c in columns.available("person"))
    with django_assert_num_queries(12):  # type: ignore[operator]
        response = client.get(f"/people/?cols={every}")
    # Only the fields the columns read are loaded (columns.fields); none is read later.
    assert response.content.decode().count('<td data-label="Job title">') == people


@pytest.mark.parametrize("companies", [1, 5])
def test_every_company_column_costs_no_query(
    world: World,
    as_user: Callable[[User], Client],
    companies: int,
    django_assert_num_queries: Callable[..., object],
) -> None:
    for i in range(companies):
        helpers.company(world, name=f"C{i}", website="https://c.example", domain="c.example")
    client = as_user(world.alice)
    client.get("/companies/")
    every = ",".join(c.key for c in columns.available("company"))
    with django_assert_num_queries(11):  # type: ignore[operator]
        response = client.get(f"/companies/?cols={every}")
    assert response.content.decode().count("https://c.example") == companies
