"""The deals of the benchmark data set are consistent and seeded; their scenarios answer 200."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from amity.bench import generator, runner, sales, scenarios
from amity.core import audit
from amity.core.models import Workspace
from amity.sales.models import Deal, DealPerson, DealStageChange, Pipeline, Stage, StageTotal
from tests.conftest import tenant_guard_off

CONTACTS = 500


def _deals_fingerprint(ws: Workspace) -> list[tuple[Any, ...]]:
    return list(
        Deal.objects.filter(workspace=ws)
        .order_by("id")
        .values_list("name", "amount", "currency", "owner__email", "stage__name", "status")
    )


def _totals_as_the_service_keeps_them(ws: Workspace) -> set[tuple[Any, ...]]:
    return {
        (r["pipeline_id"], r["stage_id"], r["owner_id"] or 0, r["currency"], r["n"], r["total"])
        for r in Deal.objects.filter(workspace=ws, deleted_at__isnull=True)
        .values("pipeline_id", "stage_id", "owner_id", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    }


def _check_deals(ws: Workspace) -> None:
    assert Deal.objects.filter(workspace=ws).count() == CONTACTS // sales.DEAL_SHARE
    pipelines = Pipeline.objects.filter(workspace=ws)
    assert [p.name for p in pipelines.order_by("position")] == [p[0] for p in sales.PIPELINES]
    for pipeline in pipelines:
        stages = Stage.objects.filter(workspace=ws, pipeline=pipeline)
        assert 5 <= stages.count() <= 7
        assert stages.filter(is_won=True).count() == stages.filter(is_lost=True).count() == 1
    kept = {
        (t.pipeline_id, t.stage_id, t.owner_key, t.currency, t.count, t.amount)
        for t in StageTotal.objects.filter(workspace=ws)
    }
    assert kept == _totals_as_the_service_keeps_them(ws)
    assert (
        DealPerson.objects.filter(workspace=ws).count() >= Deal.objects.filter(workspace=ws).count()
    )
    for deal in Deal.objects.filter(workspace=ws).select_related("stage")[:60]:
        changes = list(
            DealStageChange.objects.filter(workspace=ws, deal=deal).order_by("changed_at", "id")
        )
        # The history starts at creation and ends in the deal's stage; version counts moves.
        assert changes[0].from_stage_id is None and changes[0].changed_at == deal.created_at
        assert changes[-1].to_stage_id == deal.stage_id
        assert changes[-1].changed_at == deal.stage_entered_at
        assert all(a.to_stage_id == b.from_stage_id for a, b in itertools.pairwise(changes))
        assert deal.version == len(changes)
        expected = "won" if deal.stage.is_won else "lost" if deal.stage.is_lost else "open"
        assert deal.status == expected
        assert (deal.closed_at is not None) == (expected != "open")
        if expected != "lost":
            assert deal.lost_reason_id is None
    assert Deal.objects.filter(workspace=ws, status="lost", lost_reason__isnull=False).exists()
    assert Deal.objects.filter(workspace=ws, amount__gt=Decimal(0)).count() > 0


@pytest.mark.django_db
def test_deals_are_consistent_seeded_and_every_deal_scenario_runs() -> None:
    with tenant_guard_off():
        # Generated twice from the same seed (the first rolled back): the same deals.
        with transaction.atomic():
            generator.ensure(CONTACTS, seed=3, progress=lambda _: None)
            first = _deals_fingerprint(Workspace.objects.get(slug=generator.SLUG))
            transaction.set_rollback(True)
        generator.ensure(CONTACTS, seed=3, progress=lambda _: None)
        ws = Workspace.objects.get(slug=generator.SLUG)
        assert _deals_fingerprint(ws) == first
        _check_deals(ws)
        assert audit.verify() == []
    scenarios.builtin()
    ds = scenarios.load_dataset(CONTACTS)
    sessions = runner.Sessions(ds)
    names = ["pipeline board", "pipeline board mine", "funnel report", "api deals list"]
    chosen = [s for s in runner.registry.scenarios() if s.name in names]
    with tenant_guard_off():
        figures = [runner.measure(ds, s, sessions, rounds=1) for s in chosen]
    assert {f.scenario: f.status for f in figures} == dict.fromkeys(names, 200)
    assert all(f.floor_p95_ms is not None and f.queries for f in figures)
    board = next(f for f in figures if f.scenario == "pipeline board")
    assert board.budget_ms == 150
    assert next(f for f in figures if f.scenario == "funnel report").budget_ms is None
