"""Deals for the sales tests, made through the same services the screens use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from amity.core.models import User
from amity.sales import services
from amity.sales.models import Deal, Pipeline, Stage
from tests.conftest import World


def pipeline(world: World) -> Pipeline:
    return services.install_default_pipeline(world.acme)


def stages(p: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(workspace_id=p.workspace_id, pipeline=p).order_by("position"))


def deal(world: World, owner: User | None = None, **data: Any) -> Deal:
    p = data.pop("pipeline", None) or pipeline(world)
    stage_id = data.pop("stage_id", None)
    owner = owner or world.bob
    values = {"name": "Renewal", "amount": Decimal("100.00"), "currency": "EUR", **data}
    return services.create_deal(world.member(owner), p, values, stage_id=stage_id)
