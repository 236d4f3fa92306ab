"""Kept column totals always equal a fresh count of the deals behind them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from amity.sales import services
from amity.sales.models import Deal, StageTotal
from tests.conftest import World, tenant_guard_off
from tests.sales import helpers


def _kept() -> set[tuple[Any, ...]]:
    with tenant_guard_off():
        return {
            (t.stage_id, t.currency, t.count, t.amount)
            for t in StageTotal.objects.filter(count__gt=0)
        }


def _counted() -> set[tuple[Any, ...]]:
    with tenant_guard_off():
        rows = (
            Deal.objects.filter(deleted_at__isnull=True)
            .values("stage_id", "currency")
            .annotate(n=Count("id"), total=Sum("amount"))
        )
        return {(r["stage_id"], r["currency"], r["n"], r["total"]) for r in rows}


def test_it_keeps_totals_through_every_verb(world: World) -> None:
    bob = world.member(world.bob)
    a = helpers.deal(world, amount=Decimal("10.00"))
    b = helpers.deal(world, amount=Decimal("2.50"), currency="USD")
    stages = helpers.stages(a.pipeline)
    services.move_deal(bob, a, stages[2].pk, expected_version=1)
    services.update_deal(bob, b, {"amount": "4.25", "currency": "NOK"}, expected_version=1)
    services.trash_deal(bob, a)
    assert _kept() == _counted() == {(stages[0].pk, "NOK", 1, Decimal("4.25"))}
    services.restore_deal(world.member(world.alice), a)
    services.restore_deal(world.member(world.alice), a)  # twice changes nothing
    assert _kept() == _counted()
    assert (stages[2].pk, "EUR", 1, Decimal("10.00")) in _kept()


def test_it_rebuilds_totals(world: World) -> None:
    helpers.deal(world, amount=Decimal("1.10"))
    helpers.deal(world, amount=Decimal("2.20"))
    with tenant_guard_off():
        StageTotal.objects.update(count=99)
    services.rebuild_totals(world.acme.pk)
    assert (
        _kept()
        == _counted()
        == {(helpers.stages(helpers.pipeline(world))[0].pk, "EUR", 2, Decimal("3.30"))}
    )
