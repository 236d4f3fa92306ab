"""Read queries for pipelines and deals, shared by the HTML views and the API.

The board stays fast at any size: each column reads only its top N cards
through an index that starts (workspace, stage), and the column totals come
from the kept per-owner totals (`StageTotal`), or, when the board is filtered
by more than its owner, from one GROUP BY over an index covering (workspace,
pipeline, stage, currency, amount).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from amity.core import access
from amity.core.models import Membership
from amity.core.paging import Page, paginate
from amity.sales import money
from amity.sales.models import Deal, LostReason, Pipeline, Stage, StageTotal

CARDS_PER_COLUMN = 20
DEAL_SORTS = {
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
    "close": ["expected_close", "id"],
    "-close": ["-expected_close", "-id"],
}


@dataclass(frozen=True)
class DealFilters:
    owner: str = ""  # a user id, "me" or ""
    close_from: date | None = None
    close_to: date | None = None
    stage: int | None = None
    status: str = ""


@dataclass
class Column:
    stage: Stage
    cards: list[Deal]
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    total_base: Decimal | None = Decimal(0)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.cards))


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[Column]
    base_currency: str
    missing_rates: list[str]


def pipelines(member: Membership) -> QuerySet[Pipeline]:
    return access.visible(member, Pipeline).order_by("position", "id")


def stages(member: Membership, pipeline: Pipeline) -> list[Stage]:
    return list(
        Stage.objects.filter(workspace_id=member.workspace_id, pipeline=pipeline).order_by(
            "position", "id"
        )
    )


def lost_reasons(member: Membership) -> list[LostReason]:
    return list(
        LostReason.objects.filter(workspace_id=member.workspace_id, active=True).order_by(
            "position", "id"
        )
    )


def _owner_id(member: Membership, filters: DealFilters) -> int | None:
    """The one owner the filters ask for ("me" or a user id), or None for any owner."""
    if filters.owner == "me":
        return member.user_id
    if filters.owner.isdigit():
        return int(filters.owner)
    return None


def _filter(member: Membership, filters: DealFilters) -> Q:
    q = Q()
    owner_id = _owner_id(member, filters)
    if owner_id is not None:
        q &= Q(owner_id=owner_id)
    if filters.close_from:
        q &= Q(expected_close__gte=filters.close_from)
    if filters.close_to:
        q &= Q(expected_close__lte=filters.close_to)
    if filters.stage:
        q &= Q(stage_id=filters.stage)
    if filters.status in Deal.Status.values:
        q &= Q(status=filters.status)
    return q


def board(
    member: Membership, pipeline: Pipeline, filters: DealFilters, size: int = CARDS_PER_COLUMN
) -> Board:
    """Return a pipeline's columns: top `size` cards per stage, with counts and totals."""
    columns = [Column(stage=s, cards=[]) for s in stages(member, pipeline)]
    by_stage = {c.stage.pk: c for c in columns}
    visible = access.visible(member, Deal).filter(_filter(member, filters))
    currencies: set[str] = set()
    for row in _sums(member, pipeline, filters, visible):
        column = by_stage.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        column.totals[row["currency"]] = row["total"] or Decimal(0)
        currencies.add(row["currency"])
    base = _base_currency(member)
    table = money.rates(member.workspace_id, currencies, base, timezone.localdate())
    missing = sorted(currencies - set(table))
    for column in columns:
        column.total_base = money.convert(column.totals, base, table)
    # One query per non-empty column, each a short range scan of its index.
    for column in columns:
        if column.count:
            column.cards = list(
                visible.filter(stage_id=column.stage.pk)
                .select_related("company", "owner")
                .order_by("-stage_entered_at", "-id")[:size]
            )
    return Board(pipeline=pipeline, columns=columns, base_currency=base, missing_rates=missing)


def _sums(
    member: Membership, pipeline: Pipeline, filters: DealFilters, visible: QuerySet[Deal]
) -> list[dict[str, Any]]:
    """Return count and sum per (stage, currency): from the kept per-owner totals when
    only the owner narrows the board (the member's scope, "my deals", one owner), else
    a GROUP BY over the filtered deals."""
    only_owner = DealFilters(owner=filters.owner)
    in_scope = access.owner_filter(member, "deal", field="owner_key")
    if filters == only_owner and in_scope is not None:
        kept = StageTotal.objects.filter(
            in_scope, workspace_id=member.workspace_id, pipeline=pipeline, count__gt=0
        )
        owner_id = _owner_id(member, filters)
        if owner_id is not None:
            kept = kept.filter(owner_key=owner_id)
        rows = (
            kept.values("stage_id", "currency")
            .annotate(n=Sum("count"), total=Sum("amount"))
            .order_by()
        )
        return [dict(row) for row in rows]
    live = (
        visible.filter(pipeline=pipeline)
        .values("stage_id", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    return [dict(row) for row in live]


def _base_currency(member: Membership) -> str:
    from amity.sales.services import settings_for

    return settings_for(member.workspace_id).base_currency


def is_rotting(deal: Deal, stage: Stage, now: datetime | None = None) -> bool:
    if stage.rotting_days is None or deal.status != Deal.Status.OPEN:
        return False
    now = now or timezone.now()
    return (now - deal.stage_entered_at).days >= stage.rotting_days


def deals(
    member: Membership,
    filters: DealFilters,
    *,
    pipeline: Pipeline | None = None,
    sort: str = "-created",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page[Deal]:
    """Return a page of the deals the member may see, keyset-paged."""
    qs = (
        access.visible(member, Deal)
        .filter(_filter(member, filters))
        .select_related("company", "owner", "stage", "pipeline")
    )
    if pipeline is not None:
        qs = qs.filter(pipeline=pipeline)
    ordering = DEAL_SORTS.get(sort, DEAL_SORTS["-created"])
    if sort in ("close", "-close"):
        qs = qs.filter(expected_close__isnull=False)
    return paginate(qs, ordering, after=after, before=before, size=size)


def deals_for(
    member: Membership, *, company_id: int | None = None, person_id: int | None = None
) -> list[Deal]:
    """Return up to 20 deals of a company or a person, newest first (the record's panel)."""
    qs = access.visible(member, Deal).select_related("stage")
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if person_id is not None:
        qs = qs.filter(roles__person_id=person_id, roles__workspace_id=member.workspace_id)
    return list(qs.order_by("-created_at", "-id")[:20])


def stage_counts(member: Membership, pipeline: Pipeline) -> dict[int, int]:
    rows = (
        access.visible(member, Deal)
        .filter(pipeline=pipeline)
        .values("stage_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[row["stage_id"]] = row["n"]
    return counts
