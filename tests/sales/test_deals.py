"""Deal screens: add, edit (with conflicts), detail, list paging, trash, search, panels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.test import Client

from amity.core import search
from amity.core.models import AuditEvent, User
from amity.customers import services as customers
from amity.sales.models import Deal
from tests.conftest import World, tenant_guard_off
from tests.sales import helpers


def _form(world: World, **values: Any) -> dict[str, Any]:
    return {
        "name": "Big one",
        "amount": "1234.50",
        "currency": "usd",
        "owner": world.bob.pk,
        **values,
    }


def test_it_adds_a_deal(world: World, as_user: Callable[[User], Client]) -> None:
    p = helpers.pipeline(world)
    response = as_user(world.bob).post(f"/deals/new/?pipeline={p.pk}", _form(world))
    with tenant_guard_off():
        deal = Deal.objects.get()
        actions = list(
            AuditEvent.objects.filter(object_type="deal").values_list("action", flat=True)
        )
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert (deal.name, deal.amount, deal.currency, deal.owner_id, deal.stage.name) == (
        "Big one",
        Decimal("1234.50"),
        "USD",
        world.bob.pk,
        "Qualified",
    )
    assert actions == ["create"]


def test_it_refuses_roles_that_may_not_create(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.pipeline(world)
    for user in (world.dave, world.carol, world.frank):
        assert as_user(user).post("/deals/new/", _form(world)).status_code == 403
    with tenant_guard_off():
        assert Deal.objects.count() == 0


def test_it_shows_a_stale_edit_as_a_conflict(
    world: World, as_user: Callable[[User], Client]
) -> None:
    deal = helpers.deal(world)
    client = as_user(world.bob)
    assert client.post(f"/deals/{deal.pk}/edit/", _form(world, version=1)).status_code == 302
    response = client.post(f"/deals/{deal.pk}/edit/", _form(world, name="Mine", version=1))
    assert response.status_code == 200 and response.context["conflict"] is True
    with tenant_guard_off():
        assert Deal.objects.get(pk=deal.pk).name == "Big one"


def test_it_shows_a_deal_with_a_fixed_number_of_queries(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    deal = helpers.deal(world)
    client = as_user(world.dave)
    client.get(f"/deals/{deal.pk}/")
    with django_assert_num_queries(11):  # 13 + the quotes section
        response = client.get(f"/deals/{deal.pk}/")
    assert response.status_code == 200
    assert b"100.00\xc2\xa0EUR" in response.content


def test_it_lists_deals_a_page_at_a_time(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    p = helpers.pipeline(world)
    for n in range(3):
        helpers.deal(world, pipeline=p, name=f"D{n}", expected_close=date(2026, 1, 1 + n))
    client = as_user(world.dave)
    client.get("/deals/list/")
    with django_assert_num_queries(8):
        response = client.get("/deals/list/?sort=close")
    assert [d.name for d in response.context["page"].items] == ["D0", "D1", "D2"]
    for n in range(60):
        helpers.deal(world, pipeline=p, name=f"E{n}")
    with django_assert_num_queries(8):
        response = client.get("/deals/list/")
    page = response.context["page"]
    assert (len(page.items), page.total, page.items[0].name) == (50, 63, "E59")
    response = client.get(f"/deals/list/?after={page.next_cursor}")
    assert [d.name for d in response.context["page"].items][-1] == "D0"


def test_it_moves_a_deal_to_the_trash(world: World, as_user: Callable[[User], Client]) -> None:
    deal = helpers.deal(world)
    assert as_user(world.sam).post(f"/deals/{deal.pk}/delete/", {"version": 1}).status_code == 403
    response = as_user(world.bob).post(f"/deals/{deal.pk}/delete/", {"version": 1})
    assert response.status_code == 302
    with tenant_guard_off():
        assert Deal.objects.get(pk=deal.pk).deleted_at is not None
    assert as_user(world.bob).get(f"/deals/{deal.pk}/").status_code == 404


def test_it_finds_deals_in_global_search(world: World) -> None:
    initech = customers.create_company(world.member(world.alice), {"name": "Initech"})
    helpers.deal(world, name="Printer fleet", company=initech.pk)
    hits = search.query(world.member(world.dave), "printer")
    assert [(h.type, h.title) for h in hits] == [("deal", "Printer fleet")]


def test_it_shows_the_deals_panel_on_a_company(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = customers.create_company(world.member(world.alice), {"name": "Initech"})
    helpers.deal(world, name="Printer fleet", company=initech.pk)
    response = as_user(world.dave).get(f"/companies/{initech.pk}/")
    assert b"Printer fleet" in response.content
