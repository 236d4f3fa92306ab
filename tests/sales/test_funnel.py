"""The funnel on a known data set: reach, conversion, drop-off, days in stage, wins, forecast."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from amity.core.models import User
from amity.sales import funnel as reports
from amity.sales import services
from amity.sales.models import Deal, LostReason
from tests.conftest import World, tenant_guard_off
from tests.sales import helpers


def _walk(world: World, deal: Deal, path: list[tuple[str, int]], reason: str = "") -> None:
    """Move a deal along stage names, each after `days` in the stage before."""
    stages = {s.name: s for s in helpers.stages(deal.pipeline)}
    member = world.member(deal.owner) if deal.owner else world.member(world.alice)
    with tenant_guard_off():
        lost = LostReason.objects.filter(name=reason).values_list("pk", flat=True).first()
    for name, days in path:
        deal.stage_entered_at = timezone.now() - timedelta(days=days)
        services.move_deal(
            member, deal, stages[name].pk, expected_version=deal.version, lost_reason=lost
        )


def _data_set(world: World) -> Any:
    p = helpers.pipeline(world)
    d1 = helpers.deal(world, world.bob, name="D1")
    d2 = helpers.deal(world, world.bob, name="D2")
    d3 = helpers.deal(world, world.sam, name="D3")
    d4 = helpers.deal(world, world.sam, name="D4", amount=Decimal("100.01"))
    helpers.deal(world, world.sam, name="D5", amount=Decimal("33.33"), currency="USD")
    services.set_rate(world.member(world.alice), "USD", timezone.localdate(), "2")
    _walk(world, d1, [("Contact made", 2), ("Proposal sent", 1), ("Won", 3)])
    _walk(world, d2, [("Contact made", 4), ("Lost", 1)], reason="Price")
    _walk(world, d3, [("Lost", 6)], reason="Competitor")
    _walk(world, d4, [("Contact made", 2), ("Proposal sent", 2)])
    return p


def test_it_computes_the_funnel(world: World) -> None:
    p = _data_set(world)
    today = timezone.localdate()
    data = reports.funnel(world.member(world.erin), p, today, today)
    rows = [(r.stage.name, r.reached, r.conversion, r.lost_here, r.avg_days) for r in data.rows]
    assert rows == [
        # Q: D1 2 d, D2 4 d, D3 6 d, D4 2 d; D5 is still there.
        ("Qualified", 5, Decimal("60.0"), 1, Decimal("3.5")),
        ("Contact made", 3, Decimal("66.7"), 1, Decimal("1.3")),  # 1 d, 1 d, 2 d
        ("Proposal sent", 2, Decimal("50.0"), 0, Decimal("3.0")),
        # D1 skipped Negotiation on its way to Won: it passed it.
        ("Negotiation", 1, Decimal("100.0"), 0, None),
        ("Won", 1, None, 0, None),
    ]
    assert data.lost_by_reason == [("Competitor", 1), ("Price", 1)]
    owners = [(o.name, o.won, o.lost, o.win_rate, o.forecast) for o in data.owners]
    assert owners == [
        ("Bob", 1, 1, Decimal("50.0"), Decimal("0.00")),
        # D4 100.01 EUR × 50 % + D5 33.33 USD × 2 × 10 % = 50.005 + 6.666 → 56.67
        ("Sam", 0, 1, Decimal("0.0"), Decimal("56.67")),
    ]
    assert (data.total.won, data.total.lost, data.total.win_rate) == (1, 2, Decimal("33.3"))


def test_it_leaves_out_deals_created_outside_the_period(world: World) -> None:
    p = _data_set(world)
    yesterday = timezone.localdate() - timedelta(days=1)
    data = reports.funnel(world.member(world.erin), p, yesterday, yesterday)
    assert [r.reached for r in data.rows] == [0, 0, 0, 0, 0]
    assert data.owners == []


def test_it_draws_the_funnel_page(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    p = _data_set(world)
    client = as_user(world.dave)
    client.get(f"/deals/pipelines/{p.pk}/funnel/")
    with django_assert_num_queries(15):
        response = client.get(f"/deals/pipelines/{p.pk}/funnel/")
    assert response.status_code == 200
    assert response.content.count(b"<svg") == 3
    assert b'data-testid="forecast-total">56.67\xc2\xa0EUR' in response.content
    assert b"<script" not in response.content.split(b"<main")[1]


def test_it_hides_another_workspaces_funnel(
    world: World, as_user: Callable[[User], Client]
) -> None:
    p = services.install_default_pipeline(world.globex)
    assert as_user(world.bob).get(f"/deals/pipelines/{p.pk}/funnel/").status_code == 404
