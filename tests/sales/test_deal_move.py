"""Moving a deal between stages: history, timeline, status, optimistic locking, who may."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from amity.core.exceptions import VersionConflict
from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import TimelineEvent
from amity.sales import services
from amity.sales.models import Deal, DealStageChange, LostReason
from tests.conftest import World, tenant_guard_off
from tests.sales import helpers


def _history(deal: Deal) -> list[tuple[str | None, str, int | None]]:
    with tenant_guard_off():
        return [
            (c.from_stage.name if c.from_stage else None, c.to_stage.name, c.changed_by_id)
            for c in DealStageChange.objects.filter(deal=deal).order_by("id")
        ]


def _deal(deal: Deal) -> tuple[str, str, int, int | None]:
    with tenant_guard_off():
        d = Deal.objects.select_related("stage").get(pk=deal.pk)
    return d.stage.name, d.status, d.version, d.lost_reason_id


def test_it_moves_and_records_the_change(world: World, as_user: Callable[[User], Client]) -> None:
    initech = customers.create_company(world.member(world.bob), {"name": "Initech"})
    deal = helpers.deal(world, company=initech.pk)
    stages = helpers.stages(deal.pipeline)
    response = as_user(world.bob).post(
        f"/deals/{deal.pk}/move/", {"stage": stages[2].pk, "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/deals/pipelines/{deal.pipeline_id}/"
    assert _deal(deal) == ("Proposal sent", "open", 2, None)
    assert _history(deal) == [
        (None, "Qualified", world.bob.pk),
        ("Qualified", "Proposal sent", world.bob.pk),
    ]
    with tenant_guard_off():
        summaries = list(
            TimelineEvent.objects.filter(company=initech, kind="deal")
            .order_by("id")
            .values_list("summary", flat=True)
        )
    assert summaries == [
        "Deal Renewal created in Qualified",
        "Deal Renewal moved from Qualified to Proposal sent",
    ]


def test_it_closes_as_won_or_lost_with_a_reason(world: World) -> None:
    deal = helpers.deal(world)
    stages = {s.name: s for s in helpers.stages(deal.pipeline)}
    with tenant_guard_off():
        price = LostReason.objects.get(workspace=world.acme, name="Price")
    bob = world.member(world.bob)
    services.move_deal(bob, deal, stages["Lost"].pk, expected_version=1, lost_reason=price.pk)
    assert _deal(deal) == ("Lost", "lost", 2, price.pk)
    services.move_deal(bob, deal, stages["Won"].pk, expected_version=2)
    assert _deal(deal) == ("Won", "won", 3, None)


def test_it_refuses_a_stale_version(world: World, as_user: Callable[[User], Client]) -> None:
    deal = helpers.deal(world)
    stages = helpers.stages(deal.pipeline)
    services.move_deal(world.member(world.bob), deal, stages[1].pk, expected_version=1)
    response = as_user(world.bob).post(
        f"/deals/{deal.pk}/move/", {"stage": stages[3].pk, "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"Someone changed Renewal meanwhile" in response.content
    assert _deal(deal) == ("Contact made", "open", 2, None)
    assert len(_history(deal)) == 2


def test_it_refuses_a_stage_of_another_pipeline(world: World) -> None:
    deal = helpers.deal(world)
    other = services.install_default_pipeline(world.globex)
    with tenant_guard_off():
        foreign = helpers.stages(other)[1]
    with pytest.raises(ValidationError):
        services.move_deal(world.member(world.bob), deal, foreign.pk, expected_version=1)
    assert _deal(deal) == ("Qualified", "open", 1, None)


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    deal = helpers.deal(world)
    stage = helpers.stages(deal.pipeline)[1]
    for user in (world.sam, world.dave, world.carol):
        response = as_user(user).post(f"/deals/{deal.pk}/move/", {"stage": stage.pk, "version": 1})
        assert response.status_code == 403
    assert _deal(deal) == ("Qualified", "open", 1, None)
    assert (
        as_user(world.erin)
        .post(f"/deals/{deal.pk}/move/", {"stage": stage.pk, "version": 1})
        .status_code
        == 302
    )


def test_it_checks_the_workspace(world: World, as_user: Callable[[User], Client]) -> None:
    deal = helpers.deal(world)
    stage = helpers.stages(deal.pipeline)[1]
    response = as_user(world.mallory).post(
        f"/deals/{deal.pk}/move/", {"stage": stage.pk, "version": 1}
    )
    assert response.status_code == 404
    assert _deal(deal) == ("Qualified", "open", 1, None)


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    deal = helpers.deal(world)
    assert as_user(world.bob).get(f"/deals/{deal.pk}/move/").status_code == 405


def test_a_concurrent_move_loses_cleanly(world: World) -> None:
    deal = helpers.deal(world)
    stages = helpers.stages(deal.pipeline)
    bob = world.member(world.bob)
    services.move_deal(bob, deal, stages[1].pk, expected_version=1)
    with tenant_guard_off():
        stale = Deal.objects.get(pk=deal.pk)
    stale.version = 1
    with pytest.raises(VersionConflict):
        services.move_deal(bob, stale, stages[2].pk, expected_version=1)
    assert len(_history(deal)) == 2
