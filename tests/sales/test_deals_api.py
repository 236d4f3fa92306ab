"""The deals API: create with Idempotency-Key, ETag and If-Match, moves, board, mass assignment."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from amity.core.models import User
from amity.sales.models import Deal, DealStageChange
from tests.api.conftest import Api, api_as, body, error_code
from tests.conftest import World, tenant_guard_off
from tests.sales import helpers

__all__ = ["api_as"]  # the fixture, shared with tests/api


def test_it_creates_once_per_idempotency_key(world: World, api_as: Callable[[User], Api]) -> None:
    p = helpers.pipeline(world)
    api = api_as(world.bob)
    payload = {"pipeline": p.pk, "name": "API deal", "amount": "99.50", "currency": "usd"}
    first = api.post("/deals", payload, {"Idempotency-Key": "k1"})
    again = api.post("/deals", payload, {"Idempotency-Key": "k1"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.content == again.content
    data = body(first)
    assert (data["name"], data["amount"], data["currency"], data["owner"], data["status"]) == (
        "API deal",
        "99.50",
        "USD",
        world.bob.pk,
        "open",
    )
    assert first["ETag"] == f'"deal-{data["id"]}-v1"'
    with tenant_guard_off():
        assert Deal.objects.count() == 1


def test_it_refuses_fields_off_the_allow_list(world: World, api_as: Callable[[User], Api]) -> None:
    p = helpers.pipeline(world)
    for extra in ({"version": 9}, {"workspace": 2}, {"status": "won"}, {"id": 5}):
        response = api_as(world.bob).post("/deals", {"pipeline": p.pk, "name": "X", **extra})
        assert response.status_code == 422, extra
    with tenant_guard_off():
        assert Deal.objects.count() == 0


def test_it_updates_with_if_match_only(world: World, api_as: Callable[[User], Api]) -> None:
    deal = helpers.deal(world)
    api = api_as(world.bob)
    assert error_code(api.patch(f"/deals/{deal.pk}", {"name": "New"})) == "precondition_required"
    stale = api.patch(f"/deals/{deal.pk}", {"name": "New"}, {"If-Match": f'"deal-{deal.pk}-v9"'})
    assert stale.status_code == 412
    ok = api.patch(f"/deals/{deal.pk}", {"amount": "12.345"}, {"If-Match": f'"deal-{deal.pk}-v1"'})
    assert ok.status_code == 422  # more than two decimal places
    ok = api.patch(f"/deals/{deal.pk}", {"amount": "12.34"}, {"If-Match": f'"deal-{deal.pk}-v1"'})
    assert ok.status_code == 200 and ok["ETag"] == f'"deal-{deal.pk}-v2"'
    with tenant_guard_off():
        assert Deal.objects.get(pk=deal.pk).amount == Decimal("12.34")


def test_it_moves_a_deal(world: World, api_as: Callable[[User], Api]) -> None:
    deal = helpers.deal(world)
    won = helpers.stages(deal.pipeline)[4]
    api = api_as(world.bob)
    response = api.post(
        f"/deals/{deal.pk}/move", {"stage": won.pk}, {"If-Match": f'"deal-{deal.pk}-v1"'}
    )
    assert response.status_code == 200
    assert (body(response)["status"], body(response)["stage"]) == ("won", won.pk)
    history = body(api.get(f"/deals/{deal.pk}/history"))
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, helpers.stages(deal.pipeline)[0].pk),
        (helpers.stages(deal.pipeline)[0].pk, won.pk),
    ]
    with tenant_guard_off():
        assert DealStageChange.objects.count() == 2


def test_it_returns_the_board(world: World, api_as: Callable[[User], Api]) -> None:
    p = helpers.pipeline(world)
    helpers.deal(world, amount=Decimal("10.10"))
    helpers.deal(world, amount=Decimal("0.90"))
    data = body(api_as(world.dave).get(f"/pipelines/{p.pk}/board?cards=1"))
    first = data["columns"][0]
    assert (first["count"], first["totals"], first["total_base"], len(first["cards"])) == (
        2,
        {"EUR": "11.00"},
        "11.00",
        1,
    )
    assert [c["stage"]["name"] for c in data["columns"]] == [
        "Qualified",
        "Contact made",
        "Proposal sent",
        "Negotiation",
        "Won",
        "Lost",
    ]


def test_it_hides_another_workspaces_deal(world: World, api_as: Callable[[User], Api]) -> None:
    deal = helpers.deal(world)
    assert api_as(world.mallory).get(f"/deals/{deal.pk}").status_code == 404
