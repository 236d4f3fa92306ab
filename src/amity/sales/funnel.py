"""The funnel of a pipeline from its stage history: conversion, drop-off, time in stage,
win rate and a forecast weighted by probability, per owner.

A deal "reached" a stage when it ever entered that stage or a later open or won one
(skipping a stage still passes it); a lost deal counts where it was lost from. The
cohort is the deals created in the period; win rates count the deals it closed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from amity.core import access
from amity.core.models import Membership, User
from amity.sales import money
from amity.sales.models import Deal, DealStageChange, LostReason, Pipeline, Stage
from amity.sales.selectors import stages as pipeline_stages


@dataclass
class StageRow:
    stage: Stage
    reached: int = 0
    conversion: Decimal | None = None  # to the next stage, in percent
    lost_here: int = 0
    avg_days: Decimal | None = None


@dataclass
class OwnerRow:
    owner_id: int | None
    name: str = ""
    won: int = 0
    lost: int = 0
    forecast: Decimal = Decimal("0.00")
    missing_rate: bool = False

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return _percent(self.won, closed) if closed else None


@dataclass
class Funnel:
    pipeline: Pipeline
    start: date
    end: date
    base_currency: str
    rows: list[StageRow]
    lost_by_reason: list[tuple[str, int]]
    owners: list[OwnerRow]
    total: OwnerRow = field(default_factory=lambda: OwnerRow(owner_id=None))


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def funnel(member: Membership, pipeline: Pipeline, start: date, end: date) -> Funnel:
    """Return the pipeline's funnel for the deals created from `start` to `end` (inclusive)."""
    from amity.sales.services import settings_for

    stages = pipeline_stages(member, pipeline)
    by_id = {s.pk: s for s in stages}
    order = {s.pk: i for i, s in enumerate(stages)}
    since, until = _bounds(start, end)
    deals = list(
        access.visible(member, Deal)
        .filter(pipeline=pipeline, created_at__gte=since, created_at__lt=until)
        .values("id", "owner_id", "stage_id", "status", "lost_reason_id", "amount", "currency")
    )
    ids = [d["id"] for d in deals]
    changes = list(
        DealStageChange.objects.filter(
            workspace_id=member.workspace_id, pipeline=pipeline, deal_id__in=ids
        )
        .order_by("changed_at", "id")
        .values("deal_id", "from_stage_id", "to_stage_id", "seconds_in_from")
    )
    furthest: dict[int, int] = {}
    lost_from: dict[int, int | None] = {}
    seconds: dict[int, list[int]] = defaultdict(list)
    for c in changes:
        to = by_id.get(c["to_stage_id"])
        if to is None:
            continue
        if to.is_lost:
            lost_from[c["deal_id"]] = c["from_stage_id"]
        else:
            lost_from.pop(c["deal_id"], None)
            furthest[c["deal_id"]] = max(furthest.get(c["deal_id"], -1), order[to.pk])
        if c["from_stage_id"] in by_id and c["seconds_in_from"] is not None:
            seconds[c["from_stage_id"]].append(c["seconds_in_from"])
    rows = [StageRow(stage=s) for s in stages if not s.is_lost]
    for position in furthest.values():
        for row in rows:
            if order[row.stage.pk] <= position:
                row.reached += 1
    for stage_id in lost_from.values():
        for row in rows:
            if row.stage.pk == stage_id:
                row.lost_here += 1
    for i, row in enumerate(rows):
        if i + 1 < len(rows) and row.reached:
            row.conversion = _percent(rows[i + 1].reached, row.reached)
        spent = seconds.get(row.stage.pk)
        if spent:
            row.avg_days = (Decimal(sum(spent)) / len(spent) / 86400).quantize(Decimal("0.1"))
    reasons = dict(
        LostReason.objects.filter(workspace_id=member.workspace_id).values_list("id", "name")
    )
    lost_reasons: dict[str, int] = defaultdict(int)
    base = settings_for(member.workspace_id).base_currency
    table = money.rates(
        member.workspace_id, {d["currency"] for d in deals}, base, timezone.localdate()
    )
    owners: dict[int | None, OwnerRow] = {}
    total = OwnerRow(owner_id=None)
    for d in deals:
        mine = owners.setdefault(d["owner_id"], OwnerRow(owner_id=d["owner_id"]))
        for target in (mine, total):
            if d["status"] == Deal.Status.WON:
                target.won += 1
            elif d["status"] == Deal.Status.LOST:
                target.lost += 1
            else:
                rate = table.get(d["currency"])
                if rate is None:
                    target.missing_rate = True
                    continue
                weight = Decimal(by_id[d["stage_id"]].probability) / 100
                # Summed exactly and rounded once at the end, not per deal.
                target.forecast += d["amount"] * rate * weight
        if d["status"] == Deal.Status.LOST:
            lost_reasons[reasons.get(d["lost_reason_id"], "—")] += 1
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in owners if k is not None])}
    for owner_id, owner_row in owners.items():
        owner_row.name = names.get(owner_id, "—") if owner_id is not None else "—"
        owner_row.forecast = money.cents(owner_row.forecast)
    total.forecast = money.cents(total.forecast)
    return Funnel(
        pipeline=pipeline,
        start=start,
        end=end,
        base_currency=base,
        rows=rows,
        lost_by_reason=sorted(lost_reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        owners=sorted(owners.values(), key=lambda r: r.name),
        total=total,
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: Decimal
    y: int
    note: str = ""


def bars(items: list[tuple[str, int, str]], *, width: int = 400, row: int = 28) -> list[Bar]:
    """Lay out horizontal bars for an SVG chart (the widest value spans `width`)."""
    top = max((value for _, value, _ in items), default=0) or 1
    return [
        Bar(
            label=label,
            value=value,
            width=(Decimal(value) * width / top).quantize(Decimal("0.1")),
            y=i * row,
            note=note,
        )
        for i, (label, value, note) in enumerate(items)
    ]
