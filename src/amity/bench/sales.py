"""Deals in the benchmark: the data step and the pipeline board, funnel and deals API scenarios.

The data step gives each benchmark workspace three pipelines (5–7 stages each,
with a won and a lost stage), a few exchange rates and the usual lost reasons,
then deals for 20 % of its contacts (200,000 at a million) with the rows the
sales services write for them: the deal, its people, one stage change per move
(from None when created, `seconds_in_from` as move_deal computes it), the stage
totals the board reads (what `services.rebuild_totals` would compute), a search
entry, a "created" timeline entry on its company (or its people) and the audit
events of the creation and of each move. Written with the loader's fast path.
"""

from __future__ import annotations

import random
import uuid
from array import array
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.db import connection, transaction
from django.utils import timezone

from amity.bench import generator
from amity.bench.generator import CHUNK, GenContext
from amity.bench.registry import Request, Scenario, data_step, register
from amity.core import audit
from amity.core.models import SearchEntry, User
from amity.core.paging import COUNT_CAP
from amity.customers.models import Company, TimelineEvent
from amity.sales import services
from amity.sales.models import (
    Deal,
    DealPerson,
    DealStageChange,
    ExchangeRate,
    LostReason,
    Pipeline,
    SalesSettings,
    Stage,
    StageTotal,
)
from amity.sales.selectors import CARDS_PER_COLUMN

DEAL_SHARE = 5  # one deal per five contacts: 200,000 at a million
# (name, share of deals, stages as services.DEFAULT_STAGES: name, probability, rotting, won, lost)
PIPELINES: list[tuple[str, int, list[tuple[str, int, int | None, bool, bool]]]] = [
    ("Sales", 60, services.DEFAULT_STAGES),
    (
        "Enterprise",
        25,
        [
            ("Discovery", 10, 21, False, False),
            ("Qualified", 20, 21, False, False),
            ("Solution design", 40, 14, False, False),
            ("Proposal", 60, 14, False, False),
            ("Negotiation", 80, 10, False, False),
            ("Won", 100, None, True, False),
            ("Lost", 0, None, False, True),
        ],
    ),
    (
        "Renewals",
        15,
        [
            ("Due", 50, 30, False, False),
            ("Quote sent", 70, 14, False, False),
            ("Agreed", 90, 7, False, False),
            ("Won", 100, None, True, False),
            ("Lost", 0, None, False, True),
        ],
    ),
]
CURRENCIES = [("EUR", 62), ("USD", 20), ("GBP", 10), ("NOK", 8)]
RATES = {"USD": Decimal("0.92"), "GBP": Decimal("1.17"), "NOK": Decimal("0.085")}
OUTCOMES = [("open", 55), ("won", 25), ("lost", 20)]
PRODUCTS = ["Licences", "Support plan", "Hardware", "Training", "Consulting", "Upgrade"]
TIMELINE_KIND = services.TIMELINE_KIND
DEAL_COLUMNS = [
    "id", "workspace_id", "uid", "owner_id", "version", "created_at", "updated_at",
    "created_by_id", "deleted_at", "name", "amount", "currency", "expected_close",
    "company_id", "pipeline_id", "stage_id", "status", "lost_reason_id",
    "stage_entered_at", "closed_at",
]  # fmt: skip
PERSON_COLUMNS = ["workspace_id", "deal_id", "person_id", "role"]
CHANGE_COLUMNS = [
    "workspace_id", "deal_id", "pipeline_id", "from_stage_id", "to_stage_id", "changed_at",
    "changed_by_id", "seconds_in_from",
]  # fmt: skip


@dataclass(frozen=True)
class StageInfo:
    pk: int
    name: str
    is_won: bool
    is_lost: bool


@dataclass(frozen=True)
class PipelineInfo:
    pk: int
    name: str
    open: list[StageInfo]
    won: StageInfo
    lost: StageInfo


class _CompanyStub:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _DealDoc:
    """What sales.search reads of a deal (its name and its company's name), without a model."""

    ACCESS_TYPE: ClassVar[str] = "deal"
    __slots__ = ("company", "name")

    def __init__(self, name: str, company: str | None) -> None:
        self.name = name
        self.company = _CompanyStub(company) if company is not None else None


# The data step ---------------------------------------------------------------


def _pipelines(ctx: GenContext) -> list[PipelineInfo]:
    ws = ctx.workspace.pk
    SalesSettings.objects.get_or_create(workspace_id=ws)
    result = []
    for position, (name, _share, stages) in enumerate(PIPELINES):
        pipeline = Pipeline.objects.create(workspace_id=ws, name=name, position=position)
        Stage.objects.bulk_create(
            Stage(
                workspace_id=ws,
                pipeline=pipeline,
                name=stage,
                position=i,
                probability=probability,
                rotting_days=rotting,
                is_won=won,
                is_lost=lost,
            )
            for i, (stage, probability, rotting, won, lost) in enumerate(stages)
        )
        made = Stage.objects.filter(workspace_id=ws, pipeline=pipeline).order_by("position")
        infos = [StageInfo(s.pk, s.name, s.is_won, s.is_lost) for s in made]
        result.append(
            PipelineInfo(
                pk=pipeline.pk,
                name=name,
                open=[s for s in infos if not s.is_won and not s.is_lost],
                won=next(s for s in infos if s.is_won),
                lost=next(s for s in infos if s.is_lost),
            )
        )
    LostReason.objects.bulk_create(
        LostReason(workspace_id=ws, name=reason, position=i)
        for i, reason in enumerate(services.DEFAULT_LOST_REASONS)
    )
    rate_day = ctx.now.date() - timedelta(days=30)
    ExchangeRate.objects.bulk_create(
        ExchangeRate(workspace_id=ws, currency=c, date=rate_day, rate=r) for c, r in RATES.items()
    )
    return result


def _people_companies(ctx: GenContext) -> array[int]:
    """Return each person's company id (0 for none), indexed by the person's offset."""
    companies = array("q", bytes(8 * len(ctx.person_ids)))
    first = ctx.person_ids.start
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, company_id FROM customers_person WHERE workspace_id = %s",
            [ctx.workspace.pk],
        )
        while rows := cursor.fetchmany(10_000):
            for pk, company in rows:
                companies[pk - first] = company or 0
    return companies


def _company_names(ctx: GenContext) -> dict[int, str]:
    return dict(
        Company.objects.filter(workspace_id=ctx.workspace.pk).values_list("id", "name").iterator()
    )


def _path(ctx: GenContext, pipeline: PipelineInfo, outcome: str) -> list[StageInfo]:
    """Return the stages a deal went through, first to current (a stage may be skipped)."""
    rng = ctx.rng
    stages = pipeline.open
    if outcome == "open":
        # More deals early in the pipeline than late.
        last = min(int(len(stages) * rng.random() ** 1.6), len(stages) - 1)
    elif outcome == "won":
        last = len(stages) - 1
    else:
        last = min(int(len(stages) * rng.random() ** 1.3), len(stages) - 1)
    path = [stages[0]] + [s for s in stages[1 : last + 1] if rng.random() > 0.15]
    if outcome == "won":
        path.append(pipeline.won)
    elif outcome == "lost":
        path.append(pipeline.lost)
    return path


def _times(ctx: GenContext, created: datetime, moves: int) -> list[datetime]:
    """Return when the deal entered each stage: created, then a few days to weeks apart."""
    steps = [timedelta(days=ctx.rng.uniform(0.5, 21)) for _ in range(moves)]
    room = ctx.now - created
    spent = sum(steps, timedelta())
    if spent > room:
        steps = [step * (room / spent) * 0.95 for step in steps]
    times = [created]
    for step in steps:
        times.append(times[-1] + step)
    return times


@dataclass
class _Env:
    """What every deal of a workspace draws from."""

    pipelines: list[PipelineInfo]
    person_company: array[int]
    company_names: dict[int, str]
    reasons: list[int]
    users: dict[int, User]


class _Batch:
    def __init__(self) -> None:
        self.deals: list[list[Any]] = []
        self.people: list[tuple[Any, ...]] = []
        self.changes: list[tuple[Any, ...]] = []
        self.entries: list[Any] = []
        self.fts: list[Any] = []
        self.events: list[list[Any]] = []


def add_deals(ctx: GenContext) -> int:
    """Write deals for 20 % of the workspace's contacts; return how many."""
    count = ctx.contacts // DEAL_SHARE
    pipelines = _pipelines(ctx)
    if not count or not ctx.person_ids:
        return 0
    env = _Env(
        pipelines=pipelines,
        person_company=_people_companies(ctx),
        company_names=_company_names(ctx),
        reasons=list(
            LostReason.objects.filter(workspace_id=ctx.workspace.pk)
            .order_by("position")
            .values_list("id", flat=True)
        ),
        users={m.user_id: m.user for m in ctx.members.values()},
    )
    totals: dict[tuple[int, int, int, str], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    ids = ctx.loader.next_ids(Deal, count)
    written = 0
    for start in range(0, count, CHUNK):
        batch = _Batch()
        chunk = ids[start : start + CHUNK]
        entry_ids = ctx.loader.next_ids(SearchEntry, len(chunk))
        for n, pk in enumerate(chunk):
            _deal(ctx, env, batch, pk, start + n, count)
            row = batch.deals[-1]
            key = (row[14], row[15], row[3] or 0, row[11])  # pipeline, stage, owner, currency
            totals[key][0] += 1
            totals[key][1] += row[10]
            owner = row[3]
            doc = _DealDoc(row[9], env.company_names.get(row[13]))
            entry, fts = generator._search_rows(ctx, "deal", pk, owner, doc, entry_ids[n])
            batch.entries.append(entry)
            if fts:
                batch.fts.append(fts)
        event_ids = ctx.loader.next_ids(TimelineEvent, len(batch.events))
        with transaction.atomic():
            written += ctx.loader.insert(Deal, DEAL_COLUMNS, batch.deals)
            ctx.loader.insert(DealPerson, PERSON_COLUMNS, batch.people)
            ctx.loader.insert(DealStageChange, CHANGE_COLUMNS, batch.changes)
            generator._write_search(ctx, batch.entries, batch.fts)
            ctx.loader.insert(
                TimelineEvent,
                generator.TIMELINE_COLUMNS,
                ([eid, *event] for eid, event in zip(event_ids, batch.events, strict=True)),
            )
            ctx.flush_audit()
    ctx.loader.insert(
        StageTotal,
        ["workspace_id", "pipeline_id", "stage_id", "owner_key", "currency", "count", "amount"],
        sorted((ctx.workspace.pk, p, s, o, c, n, a) for (p, s, o, c), (n, a) in totals.items()),
    )
    return written


def _deal(ctx: GenContext, env: _Env, batch: _Batch, pk: int, i: int, count: int) -> None:
    rng = ctx.rng
    pipelines, person_company, reasons = env.pipelines, env.person_company, env.reasons
    ws = ctx.workspace.pk
    creator = ctx.members["admin"].user
    pipeline = rng.choices(pipelines, [share for _, share, _ in PIPELINES])[0]
    outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    path = _path(ctx, pipeline, outcome)
    created = generator._created(ctx, i, count)
    times = _times(ctx, created, len(path) - 1)
    # Busy customers first (a power curve over the people), the deal at their company.
    offset = int(len(ctx.person_ids) * rng.random() ** 2)
    person = ctx.person_ids[offset]
    company = person_company[offset] or None
    people = [person]
    if rng.random() < 0.3:
        people.append(ctx.person_ids[rng.randrange(len(ctx.person_ids))])
    owner = ctx.pick_owner()
    currency = rng.choices([c for c, _ in CURRENCIES], [w for _, w in CURRENCIES])[0]
    amount = Decimal(min(int(rng.lognormvariate(8.3, 1.1) * 100), 99_999_999_999)) / 100
    product = rng.choice(PRODUCTS)
    name = f"{product} {pk}"
    stage = path[-1]
    status = "won" if stage.is_won else "lost" if stage.is_lost else "open"
    entered = times[-1]
    closed = entered if status != "open" else None
    close_day: date = (
        entered.date() if closed else (created + timedelta(days=rng.randint(20, 150))).date()
    )
    reason = rng.choice(reasons) if status == "lost" and reasons and rng.random() < 0.85 else None
    batch.deals.append(
        [pk, ws, _uuid(rng), owner, len(path), created, entered, creator.pk, None, name,
         amount, currency, close_day, company, pipeline.pk, stage.pk, status, reason,
         entered, closed]
    )  # fmt: skip
    for n, who in enumerate(dict.fromkeys(people)):
        batch.people.append((ws, pk, who, "Decision maker" if n == 0 else ""))
    mover = owner or creator.pk
    batch.changes.append((ws, pk, pipeline.pk, None, path[0].pk, created, creator.pk, None))
    snapshot = {
        "name": name, "amount": str(amount), "currency": currency,
        "expected_close": close_day.isoformat(), "company": company, "owner": owner,
    }  # fmt: skip
    changes = {k: [None, v] for k, v in snapshot.items() if v not in (None, "")}
    ctx.audit_event(creator, "deal", pk, name, created, changes)
    for before, after, at, then in zip(path, path[1:], times[1:], times, strict=False):
        seconds = max(0, int((at - then).total_seconds()))
        batch.changes.append((ws, pk, pipeline.pk, before.pk, after.pk, at, mover, seconds))
        moved = "won" if after.is_won else "lost" if after.is_lost else "open"
        moves = {"stage": [before.name, after.name], "status": [None, moved]}
        actor = env.users.get(mover, creator)
        ctx.audit_event(actor, "deal", pk, name, at, moves, audit.Action.UPDATE)
    summary = f"Deal {name} created in {path[0].name}"
    data = {"deal_id": pk, "action": "create", "to": path[0].name}
    subjects: list[tuple[int | None, int | None]] = (
        [(None, company)]
        if company
        else [(who, person_company[who - ctx.person_ids.start] or None) for who in people]
    )
    for person_id, company_id in subjects:
        batch.events.append(
            [ws, person_id, company_id, TIMELINE_KIND, created, creator.pk, summary, data,
             "sales", "deal", str(pk)]
        )  # fmt: skip


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def register_data() -> None:
    data_step("deals", add_deals)


# Scenarios -------------------------------------------------------------------


def _sql(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def main_pipeline(ds: Any) -> int:
    """Return the id of the data set's busiest pipeline ("Sales"), cached in ds.extra."""
    if "pipeline" not in ds.extra:
        ds.extra["pipeline"] = Pipeline.objects.get(workspace_id=ds.ws, name=PIPELINES[0][0]).pk
        ds.extra["stages"] = list(
            Stage.objects.filter(workspace_id=ds.ws, pipeline_id=ds.extra["pipeline"])
            .order_by("position", "id")
            .values_list("id", flat=True)
        )
    return int(ds.extra["pipeline"])


CARD = (
    "SELECT d.id, d.name, d.amount, d.currency, d.expected_close, d.status, d.stage_entered_at, "
    "d.version, d.owner_id, d.company_id, c.name, u.full_name, u.email "
    "FROM sales_deal d LEFT JOIN customers_company c ON c.id = d.company_id "
    "LEFT JOIN core_user u ON u.id = d.owner_id "
)


def board_floor(ds: Any) -> None:
    """The board's SQL at its leanest: the kept totals, then the newest cards of each stage."""
    pipeline = main_pipeline(ds)
    _sql(
        "SELECT stage_id, currency, count, amount FROM sales_stagetotal "
        "WHERE workspace_id = %s AND pipeline_id = %s AND count > 0",
        [ds.ws, pipeline],
    )
    for stage in ds.extra["stages"]:
        _sql(
            f"{CARD} WHERE d.workspace_id = %s AND d.stage_id = %s AND d.deleted_at IS NULL "
            "ORDER BY d.stage_entered_at DESC, d.id DESC LIMIT %s",
            [ds.ws, stage, CARDS_PER_COLUMN],
        )


def board_mine_floor(ds: Any) -> None:
    """As board_floor for one owner: that owner's kept totals, the cards of that owner."""
    pipeline = main_pipeline(ds)
    owner = ds.users["top"].pk
    _sql(
        "SELECT stage_id, currency, count, amount FROM sales_stagetotal "
        "WHERE workspace_id = %s AND pipeline_id = %s AND owner_key = %s AND count > 0",
        [ds.ws, pipeline, owner],
    )
    for stage in ds.extra["stages"]:
        _sql(
            f"{CARD} WHERE d.workspace_id = %s AND d.owner_id = %s AND d.stage_id = %s "
            "AND d.deleted_at IS NULL ORDER BY d.stage_entered_at DESC, d.id DESC LIMIT %s",
            [ds.ws, owner, stage, CARDS_PER_COLUMN],
        )


def funnel_period(ds: Any) -> tuple[date, date]:
    """A year up to today: the report a sales manager runs at the end of a year."""
    today = timezone.localdate()
    return today - timedelta(days=365), today


def funnel_floor(ds: Any) -> None:
    """The funnel's rows: the cohort's deals, then their stage changes in order."""
    pipeline = main_pipeline(ds)
    start, end = funnel_period(ds)
    cohort = (
        "FROM sales_deal d WHERE d.workspace_id = %s AND d.pipeline_id = %s "
        "AND d.deleted_at IS NULL AND d.created_at >= %s AND d.created_at < %s"
    )
    since = datetime.combine(start, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    until = datetime.combine(
        end + timedelta(days=1), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    params = [ds.ws, pipeline, since, until]
    _sql(
        "SELECT d.id, d.owner_id, d.stage_id, d.status, d.lost_reason_id, d.amount, d.currency "
        + cohort,
        params,
    )
    changes = (
        "SELECT c.deal_id, c.from_stage_id, c.to_stage_id, c.seconds_in_from "  # noqa: S608
        "FROM sales_dealstagechange c WHERE c.workspace_id = %s AND c.pipeline_id = %s "
        f"AND c.deal_id IN (SELECT d.id {cohort}) ORDER BY c.changed_at, c.id"
    )
    _sql(changes, [ds.ws, pipeline, *params])


def deals_floor(ds: Any) -> None:
    where = "d.workspace_id = %s AND d.deleted_at IS NULL AND d.owner_id = %s"
    params = [ds.ws, ds.users["top"].pk]
    _sql(
        f"{CARD.replace('FROM', ', s.name, p.name FROM')} "
        "JOIN sales_stage s ON s.id = d.stage_id JOIN sales_pipeline p ON p.id = d.pipeline_id "
        f"WHERE {where} ORDER BY d.created_at DESC, d.id DESC LIMIT 51",
        params,
    )
    _sql(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM sales_deal d WHERE {where} "  # noqa: S608
        f"LIMIT {COUNT_CAP + 1}) t",
        params,
    )


def _funnel_path(ds: Any) -> str:
    start, end = funnel_period(ds)
    return f"/deals/pipelines/{main_pipeline(ds)}/funnel/?from={start}&to={end}"


def register_scenarios() -> None:
    register(
        Scenario(
            "pipeline board",
            request=lambda ds: Request(f"/deals/pipelines/{main_pipeline(ds)}/"),
            floor=board_floor,
            budget_ms=150,
            description="the Sales pipeline's board (60 % of the deals), 20 cards per stage, "
            "kept column totals, as the busiest sales person",
        )
    )
    register(
        Scenario(
            "pipeline board mine",
            request=lambda ds: Request(f"/deals/pipelines/{main_pipeline(ds)}/?owner=me"),
            floor=board_mine_floor,
            budget_ms=150,
            description="the same board filtered to my deals: that owner's kept totals",
        )
    )
    register(
        Scenario(
            "funnel report",
            request=lambda ds: Request(_funnel_path(ds), "manager"),
            floor=funnel_floor,
            description="the Sales pipeline's funnel over the last 365 days (no budget in "
            "DESIGN §7)",
        )
    )
    register(
        Scenario(
            "api deals list",
            request=lambda ds: Request("/api/v1/deals?owner=me", api=True),
            floor=deals_floor,
            budget_ms=50,
            description="GET /api/v1/deals, owner = me, newest first, 50 rows with count",
        )
    )
