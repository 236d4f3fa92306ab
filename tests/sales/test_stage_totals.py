"""Kept column totals always equal a fresh count of the deals behind them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from amity.core import access
from amity.sales import selectors, services
from amity.sales.models import Deal, StageTotal
from tests.conftest import World, tenant_guard_off
from tests.sales import helpers


def _kept() -> set[tuple[Any, ...]]:
    with tenant_guard_off():
        return {
            (t.stage_id, t.owner_key, t.currency, t.count, t.amount)
            for t in StageTotal.objects.filter(count__gt=0)
        }


def _counted() -> set[tuple[Any, ...]]:
    with tenant_guard_off():
        rows = (
            Deal.objects.filter(deleted_at__isnull=True)
            .values("stage_id", "owner_id", "currency")
            .annotate(n=Count("id"), total=Sum("amount"))
        )
        return {
            (r["stage_id"], r["owner_id"] or 0, r["currency"], r["n"], r["total"]) for r in rows
        }


def test_it_keeps_totals_through_every_verb(world: World) -> None:
    bob = world.member(world.bob)
    a = helpers.deal(world, amount=Decimal("10.00"))
    b = helpers.deal(world, amount=Decimal("2.50"), currency="USD")
    stages = helpers.stages(a.pipeline)
    services.move_deal(bob, a, stages[2].pk, expected_version=1)
    services.update_deal(bob, b, {"amount": "4.25", "currency": "NOK"}, expected_version=1)
    services.trash_deal(bob, a)
    assert _kept() == _counted() == {(stages[0].pk, world.bob.pk, "NOK", 1, Decimal("4.25"))}
    services.update_deal(bob, b, {"owner": world.sam.pk}, expected_version=2)
    assert _kept() == _counted() == {(stages[0].pk, world.sam.pk, "NOK", 1, Decimal("4.25"))}
    b.refresh_from_db()
    services.update_deal(world.member(world.alice), b, {"owner": None}, expected_version=3)
    assert _kept() == _counted() == {(stages[0].pk, 0, "NOK", 1, Decimal("4.25"))}
    services.restore_deal(world.member(world.alice), a)
    services.restore_deal(world.member(world.alice), a)  # twice changes nothing
    assert _kept() == _counted()
    assert (stages[2].pk, world.bob.pk, "EUR", 1, Decimal("10.00")) in _kept()


def test_it_rebuilds_totals(world: World) -> None:
    helpers.deal(world, amount=Decimal("1.10"))
    helpers.deal(world, amount=Decimal("2.20"))
    with tenant_guard_off():
        StageTotal.objects.update(count=99)
    services.rebuild_totals(world.acme.pk)
    assert (
        _kept()
        == _counted()
        == {
            (helpers.stages(helpers.pipeline(world))[0].pk, world.bob.pk, "EUR", 2, Decimal("3.30"))
        }
    )


@pytest.mark.parametrize(
    ("viewer", "owner_filter"),
    [
        ("alice", ""),  # admin: every owner, unowned deals too
        ("alice", "me"),
        ("alice", "sam"),
        ("bob", ""),  # sales, team scope: bob's and sam's deals
        ("bob", "me"),
        ("bob", "erin"),  # outside bob's team: nothing
        ("erin", "bob"),  # manager
    ],
)
def test_the_board_reads_kept_totals_equal_to_a_count(
    world: World, viewer: str, owner_filter: str
) -> None:
    p = helpers.pipeline(world)
    second = helpers.stages(p)[1].pk
    helpers.deal(world, amount=Decimal("10.00"))
    helpers.deal(world, world.sam, amount=Decimal("20.00"), currency="USD")
    helpers.deal(world, world.sam, amount=Decimal("5.00"), stage_id=second)
    helpers.deal(world, world.erin, amount=Decimal("7.00"))
    helpers.deal(world, world.alice, amount=Decimal("3.00"))
    orphan = helpers.deal(world, world.alice, amount=Decimal("1.00"))
    services.update_deal(world.member(world.alice), orphan, {"owner": None}, expected_version=1)
    member = world.member(getattr(world, viewer))
    owner = owner_filter if owner_filter in ("", "me") else str(getattr(world, owner_filter).pk)
    filters = selectors.DealFilters(owner=owner)

    def sums(board: selectors.Board) -> dict[int, tuple[int, dict[str, Decimal]]]:
        return {c.stage.pk: (c.count, c.totals) for c in board.columns if c.count}

    with CaptureQueriesContext(connection) as queries:
        kept = sums(selectors.board(member, p, filters))
    assert any("sales_stagetotal" in q["sql"] for q in queries.captured_queries)
    deals = access.visible(member, Deal).filter(pipeline=p)
    if owner == "me":
        deals = deals.filter(owner=member.user)
    elif owner:
        deals = deals.filter(owner_id=int(owner))
    live: dict[int, tuple[int, dict[str, Decimal]]] = {}
    for d in deals:
        n, totals = live.get(d.stage_id, (0, {}))
        totals[d.currency] = totals.get(d.currency, Decimal(0)) + d.amount
        live[d.stage_id] = (n + 1, totals)
    assert kept == live
    cards = sum(len(c.cards) for c in selectors.board(member, p, filters).columns)
    assert cards == sum(n for n, _ in kept.values())
