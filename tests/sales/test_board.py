"""The pipeline board: columns with counts and totals in the base currency, filters, rotting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from amity.core.models import User
from amity.sales import selectors, services
from amity.sales.models import Deal
from tests.conftest import World, tenant_guard_off
from tests.sales import helpers


def test_it_shows_counts_and_base_currency_totals(
    world: World, as_user: Callable[[User], Client]
) -> None:
    p = helpers.pipeline(world)
    first, second, *_ = helpers.stages(p)
    services.set_rate(world.member(world.alice), "USD", date(2026, 1, 1), "0.5")
    services.set_rate(world.member(world.alice), "USD", date(2026, 6, 1), "0.9")
    helpers.deal(world, name="A", amount=Decimal("100.10"))
    helpers.deal(world, name="B", amount=Decimal("10.05"), currency="USD")
    helpers.deal(world, name="C", amount=Decimal("5"), stage_id=second.pk)
    response = as_user(world.dave).get(f"/deals/pipelines/{p.pk}/")
    assert response.status_code == 200
    board = response.context["board"]
    assert [(c.stage.name, c.count) for c in board.columns[:2]] == [
        ("Qualified", 2),
        ("Contact made", 1),
    ]
    # 100.10 EUR + 10.05 USD × 0.9 (the latest rate) = 109.145 → 109.15 half up.
    assert board.columns[0].total_base == Decimal("109.15")
    assert board.columns[0].totals == {"EUR": Decimal("100.10"), "USD": Decimal("10.05")}
    assert [d.name for d in board.columns[0].cards] == ["B", "A"]
    assert b'data-testid="total-%d">109.15\xc2\xa0EUR' % first.pk in response.content


def test_it_says_when_a_rate_is_missing(world: World, as_user: Callable[[User], Client]) -> None:
    p = helpers.pipeline(world)
    helpers.deal(world, currency="NOK")
    response = as_user(world.bob).get(f"/deals/pipelines/{p.pk}/")
    assert response.context["board"].missing_rates == ["NOK"]
    assert response.context["board"].columns[0].total_base is None
    assert b"No exchange rate for NOK" in response.content


def test_it_filters_by_owner_and_close_date(
    world: World, as_user: Callable[[User], Client]
) -> None:
    p = helpers.pipeline(world)
    helpers.deal(world, name="Bob's", expected_close=date(2026, 3, 1))
    helpers.deal(world, world.sam, name="Sam's", expected_close=date(2026, 5, 1))
    client = as_user(world.bob)

    def names(query: str) -> list[str]:
        response = client.get(f"/deals/pipelines/{p.pk}/?{query}")
        return [d.name for c in response.context["board"].columns for d in c.cards]

    assert names("owner=me") == ["Bob's"]
    assert names(f"owner={world.sam.pk}") == ["Sam's"]
    assert names("close_from=2026-04-01") == ["Sam's"]
    assert names("close_to=2026-04-01") == ["Bob's"]
    assert names("close_from=nonsense") == ["Sam's", "Bob's"]


def test_it_highlights_rotting_deals(world: World, as_user: Callable[[User], Client]) -> None:
    p = helpers.pipeline(world)
    old = helpers.deal(world, name="Old")
    helpers.deal(world, name="Fresh")
    with tenant_guard_off():
        Deal.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - timedelta(days=15))
    response = as_user(world.bob).get(f"/deals/pipelines/{p.pk}/")
    cards = {d.name: d.rotting for d in response.context["board"].columns[0].cards}
    assert cards == {"Old": True, "Fresh": False}
    assert response.content.count(b"deal-card rotting") == 1


def test_it_shows_the_top_cards_per_column(world: World, as_user: Callable[[User], Client]) -> None:
    p = helpers.pipeline(world)
    for n in range(4):
        helpers.deal(world, name=f"D{n}")
    data = selectors.board(world.member(world.bob), p, selectors.DealFilters(), size=3)
    assert [d.name for d in data.columns[0].cards] == ["D3", "D2", "D1"]
    assert (data.columns[0].count, data.columns[0].more) == (4, 1)


def test_it_keeps_a_fixed_number_of_queries(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    p = helpers.pipeline(world)
    stages = helpers.stages(p)
    for n in range(6):
        helpers.deal(world, name=f"D{n}", stage_id=stages[n % 3].pk, currency="USD")
    client = as_user(world.bob)
    client.get(f"/deals/pipelines/{p.pk}/")
    # Request setup (5), stages, sums, settings, rates, one per non-empty column (3),
    # pipelines, owners, lost reasons, sidebar, session save (3): the same for twice as many.
    with django_assert_num_queries(16):
        client.get(f"/deals/pipelines/{p.pk}/")
    for n in range(6):
        helpers.deal(world, name=f"E{n}", stage_id=stages[n % 3].pk, currency="USD")
    with django_assert_num_queries(16):
        client.get(f"/deals/pipelines/{p.pk}/")


def test_it_hides_other_workspaces_pipelines(
    world: World, as_user: Callable[[User], Client]
) -> None:
    theirs = services.install_default_pipeline(world.globex)
    assert as_user(world.bob).get(f"/deals/pipelines/{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("user", ["alice", "bob", "dave"])
def test_it_opens_the_first_pipeline(
    world: World, as_user: Callable[[User], Client], user: str
) -> None:
    response = as_user(getattr(world, user)).get("/deals/")
    p = helpers.pipeline(world)
    assert response.status_code == 302 and response["Location"] == f"/deals/pipelines/{p.pk}/"
