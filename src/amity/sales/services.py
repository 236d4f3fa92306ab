"""Verbs that change pipelines, deals and exchange rates. Views and the API both call these.

Who may do what: admins configure pipelines, stages, lost reasons and rates
(`pipeline.edit`); deal verbs check `deal.*` through core.access. Every deal
change writes an audit event; creation and stage moves also go on the
timeline of the deal's company (or its people when it has no company).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.core import access, audit, search
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, Workspace
from amity.customers import timeline
from amity.customers.models import Company, Person
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
from amity.sales.money import CURRENCY, cents

DEAL_FIELDS = ["name", "amount", "currency", "expected_close", "company", "owner"]
MAX_AMOUNT = Decimal("999999999999.99")
TIMELINE_KIND = "deal"
DEFAULT_STAGES = [
    # name, probability, rotting days, won, lost
    ("Qualified", 10, 14, False, False),
    ("Contact made", 20, 14, False, False),
    ("Proposal sent", 50, 10, False, False),
    ("Negotiation", 80, 7, False, False),
    ("Won", 100, None, True, False),
    ("Lost", 0, None, False, True),
]
DEFAULT_LOST_REASONS = ["Price", "Competitor", "No budget", "No decision", "Timing"]


# Settings and configuration --------------------------------------------------


def settings_for(workspace_id: int) -> SalesSettings:
    found, _ = SalesSettings.objects.get_or_create(workspace_id=workspace_id)
    return found


def _require_admin(member: Membership) -> None:
    if not access.can(member, "pipeline", "edit"):
        raise PermissionDenied(_("Only admins configure pipelines."))


def clean_currency(value: Any) -> str:
    text = str(value or "").strip().upper()
    if not CURRENCY.match(text):
        raise ValidationError({"currency": _("Use a three-letter currency code, such as EUR.")})
    return text


@transaction.atomic
def set_base_currency(member: Membership, currency: str) -> SalesSettings:
    _require_admin(member)
    found = settings_for(member.workspace_id)
    before = found.base_currency
    found.base_currency = clean_currency(currency)
    found.version = F("version") + 1
    found.save(update_fields=["base_currency", "version"])
    found.refresh_from_db()
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="sales_settings",
        object_id=found.pk,
        changes={"base_currency": [before, found.base_currency]},
    )
    return found


@transaction.atomic
def install_default_pipeline(workspace: Workspace | int, name: str = "Sales") -> Pipeline:
    """Give a workspace without pipelines a first one with the usual stages and lost reasons."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    existing = Pipeline.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True).first()
    if existing is not None:
        return existing
    pipeline = Pipeline.objects.create(workspace_id=workspace_id, name=name)
    Stage.objects.bulk_create(
        Stage(
            workspace_id=workspace_id,
            pipeline=pipeline,
            name=stage_name,
            position=i,
            probability=probability,
            rotting_days=rotting,
            is_won=won,
            is_lost=lost,
        )
        for i, (stage_name, probability, rotting, won, lost) in enumerate(DEFAULT_STAGES)
    )
    if not LostReason.objects.filter(workspace_id=workspace_id).exists():
        LostReason.objects.bulk_create(
            LostReason(workspace_id=workspace_id, name=reason, position=i)
            for i, reason in enumerate(DEFAULT_LOST_REASONS)
        )
    settings_for(workspace_id)
    return pipeline


def _clean_stage(data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name", "")).strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Name the stage (at most 100 characters).")})
    probability = int(data.get("probability", 0))
    if not 0 <= probability <= 100:
        raise ValidationError({"probability": _("Use a percentage from 0 to 100.")})
    rotting = data.get("rotting_days")
    rotting = int(rotting) if rotting not in (None, "") else None
    if rotting is not None and not 0 < rotting <= 3650:
        raise ValidationError({"rotting_days": _("Use from 1 to 3650 days, or leave empty.")})
    won, lost = bool(data.get("is_won")), bool(data.get("is_lost"))
    if won and lost:
        raise ValidationError({"is_lost": _("A stage cannot be both won and lost.")})
    return {
        "name": name,
        "probability": probability,
        "rotting_days": rotting,
        "is_won": won,
        "is_lost": lost,
    }


@transaction.atomic
def create_pipeline(member: Membership, name: str, stages: list[dict[str, Any]]) -> Pipeline:
    """Add a pipeline with its stages in the order given."""
    _require_admin(member)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Name the pipeline (at most 100 characters).")})
    cleaned = [_clean_stage(s) for s in stages]
    if not cleaned:
        raise ValidationError({"stages": _("Add at least one stage.")})
    position = (
        Pipeline.objects.filter(workspace_id=member.workspace_id).aggregate(p=Max("position"))["p"]
        or 0
    )
    pipeline = Pipeline.objects.create(
        workspace_id=member.workspace_id, name=name, position=position + 1
    )
    Stage.objects.bulk_create(
        Stage(workspace_id=member.workspace_id, pipeline=pipeline, position=i, **s)
        for i, s in enumerate(cleaned)
    )
    audit.record(
        audit.Action.CREATE, workspace=member.workspace_id, actor=member.user, obj=pipeline
    )
    return pipeline


@transaction.atomic
def add_stage(member: Membership, pipeline: Pipeline, data: dict[str, Any]) -> Stage:
    """Append a stage to a pipeline."""
    _require_admin(member)
    position = (
        Stage.objects.filter(workspace_id=member.workspace_id, pipeline=pipeline).aggregate(
            p=Max("position")
        )["p"]
        or 0
    )
    stage = Stage.objects.create(
        workspace_id=member.workspace_id,
        pipeline=pipeline,
        position=position + 1,
        **_clean_stage(data),
    )
    Pipeline.objects.filter(pk=pipeline.pk, workspace_id=member.workspace_id).update(
        version=F("version") + 1
    )
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=pipeline,
        changes={"stages": [None, stage.name]},
    )
    return stage


@transaction.atomic
def add_lost_reason(member: Membership, name: str) -> LostReason:
    _require_admin(member)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Name the reason (at most 100 characters).")})
    position = (
        LostReason.objects.filter(workspace_id=member.workspace_id).aggregate(p=Max("position"))[
            "p"
        ]
        or 0
    )
    return LostReason.objects.create(
        workspace_id=member.workspace_id, name=name, position=position + 1
    )


@transaction.atomic
def set_rate(member: Membership, currency: str, on: date, rate: Any) -> ExchangeRate:
    """Record what one unit of `currency` was worth in the base currency on a day."""
    _require_admin(member)
    currency = clean_currency(currency)
    try:
        value = Decimal(str(rate))
    except InvalidOperation as exc:
        raise ValidationError({"rate": _("Enter a positive number.")}) from exc
    if not value.is_finite() or value <= 0 or value >= Decimal("1e10"):
        raise ValidationError({"rate": _("Enter a positive number.")})
    found, _created = ExchangeRate.objects.update_or_create(
        workspace_id=member.workspace_id,
        currency=currency,
        date=on,
        defaults={"rate": value.quantize(Decimal("0.00000001"))},
    )
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="exchange_rate",
        object_id=found.pk,
        changes={"rate": [None, f"{currency} {on.isoformat()} {found.rate}"]},
    )
    return found


# Column totals -----------------------------------------------------------------


def _bump(
    deal: Deal,
    stage_id: int,
    currency: str,
    count: int,
    amount: Decimal,
    owner_id: int | None = None,
) -> None:
    """Add to a stage's running totals for the deal's owner (or `owner_id`, its owner
    before a change); F() updates, so concurrent moves never lose one."""
    owner = deal.owner_id if owner_id is None else owner_id
    key = {
        "workspace_id": deal.workspace_id,
        "stage_id": stage_id,
        "owner_key": owner or 0,
        "currency": currency,
    }
    change = {"count": F("count") + count, "amount": F("amount") + amount}
    if StageTotal.objects.filter(**key).update(**change):
        return
    try:
        with transaction.atomic():
            StageTotal.objects.create(
                pipeline_id=deal.pipeline_id, count=count, amount=amount, **key
            )
    except IntegrityError:
        StageTotal.objects.filter(**key).update(**change)


def rebuild_totals(workspace_id: int) -> None:
    """Recompute a workspace's stage totals from its deals (after bulk loads or repairs)."""
    with transaction.atomic():
        StageTotal.objects.filter(workspace_id=workspace_id).delete()
        rows = (
            Deal.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True)
            .values("pipeline_id", "stage_id", "owner_id", "currency")
            .annotate(n=Count("id"), total=Sum("amount"))
            .order_by()
        )
        StageTotal.objects.bulk_create(
            StageTotal(
                workspace_id=workspace_id,
                pipeline_id=row["pipeline_id"],
                stage_id=row["stage_id"],
                owner_key=row["owner_id"] or 0,
                currency=row["currency"],
                count=row["n"],
                amount=row["total"] or Decimal(0),
            )
            for row in rows
        )


# Deals -----------------------------------------------------------------------


def _subjects(deal: Deal) -> list[Company | Person]:
    """Return the customer records whose timeline shows the deal."""
    if deal.company_id is not None:
        company = Company.objects.filter(
            pk=deal.company_id, workspace_id=deal.workspace_id, deleted_at__isnull=True
        ).first()
        if company is not None:
            return [company]
    return list(
        Person.objects.filter(
            workspace_id=deal.workspace_id,
            deleted_at__isnull=True,
            pk__in=DealPerson.objects.filter(workspace_id=deal.workspace_id, deal=deal).values(
                "person_id"
            ),
        )
    )


def _timeline(member: Membership, deal: Deal, summary: str, data: dict[str, Any]) -> None:
    for subject in _subjects(deal):
        timeline.add(
            member,
            subject,
            TIMELINE_KIND,
            summary,
            {"deal_id": deal.pk, **data},
            source=timeline.Source("sales", "deal", deal.pk),
        )


def _clean_deal(
    member: Membership, deal: Deal, data: dict[str, Any], before: dict[str, Any]
) -> None:
    allowed = set(DEAL_FIELDS)
    for name in data:
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be set.")})
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not name or len(name) > 200:
            raise ValidationError({"name": _("Name the deal (at most 200 characters).")})
        deal.name = name
    if "amount" in data:
        try:
            amount = Decimal(str(data["amount"] if data["amount"] is not None else "0"))
        except InvalidOperation as exc:
            raise ValidationError({"amount": _("Enter an amount.")}) from exc
        if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
            raise ValidationError({"amount": _("Enter an amount from 0 to 999,999,999,999.99.")})
        deal.amount = cents(amount)
    if "currency" in data:
        deal.currency = clean_currency(data["currency"])
    if "expected_close" in data:
        deal.expected_close = data["expected_close"] or None
    if "company" in data:
        deal.company_id = data["company"] or None
        if (
            deal.company_id is not None
            and deal.company_id != before.get("company")
            and not access.visible(member, Company).filter(pk=deal.company_id).exists()
        ):
            raise ValidationError({"company": _("Choose a company in this workspace.")})
    if "owner" in data:
        deal.owner_id = data["owner"] or None
        if (
            deal.owner_id is not None
            and deal.owner_id != before.get("owner")
            and not Membership.objects.filter(
                workspace_id=member.workspace_id, user_id=deal.owner_id, is_active=True
            ).exists()
        ):
            raise ValidationError({"owner": _("Choose a member of this workspace.")})


def _snapshot(deal: Deal) -> dict[str, Any]:
    return {
        "name": deal.name,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "expected_close": deal.expected_close.isoformat() if deal.expected_close else None,
        "company": deal.company_id,
        "owner": deal.owner_id,
    }


def _stage_in(member: Membership, pipeline_id: int, stage_id: Any) -> Stage:
    try:
        return Stage.objects.get(
            workspace_id=member.workspace_id, pipeline_id=pipeline_id, pk=int(stage_id)
        )
    except (Stage.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise ValidationError({"stage": _("Choose a stage of this pipeline.")}) from exc


def _status_for(stage: Stage) -> str:
    if stage.is_won:
        return Deal.Status.WON
    if stage.is_lost:
        return Deal.Status.LOST
    return Deal.Status.OPEN


def _lost_reason(member: Membership, stage: Stage, reason_id: Any) -> int | None:
    if not stage.is_lost or reason_id in (None, ""):
        return None
    try:
        return LostReason.objects.get(workspace_id=member.workspace_id, pk=int(reason_id)).pk
    except (LostReason.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise ValidationError({"lost_reason": _("Choose one of the lost reasons.")}) from exc


@transaction.atomic
def create_deal(
    member: Membership,
    pipeline: Pipeline,
    data: dict[str, Any],
    *,
    stage_id: Any = None,
    people: list[tuple[int, str]] | None = None,
) -> Deal:
    """Add a deal to a pipeline (first stage unless named); you own it unless you name someone."""
    access.require(member, "deal", "create")
    if pipeline.workspace_id != member.workspace_id:
        raise ValidationError({"pipeline": _("Choose a pipeline of this workspace.")})
    if stage_id is None:
        stage = (
            Stage.objects.filter(workspace_id=member.workspace_id, pipeline=pipeline)
            .order_by("position", "id")
            .first()
        )
        if stage is None:
            raise ValidationError({"stage": _("The pipeline has no stages.")})
    else:
        stage = _stage_in(member, pipeline.pk, stage_id)
    now = timezone.now()
    deal = Deal(
        workspace_id=member.workspace_id,
        created_by_id=member.user_id,
        owner_id=member.user_id,
        pipeline=pipeline,
        stage=stage,
        status=_status_for(stage),
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
        currency=settings_for(member.workspace_id).base_currency,
        closed_at=now if stage.is_won or stage.is_lost else None,
    )
    _clean_deal(member, deal, {"owner": member.user_id, **data}, {})
    if not deal.name:
        raise ValidationError({"name": _("Name the deal (at most 200 characters).")})
    deal.save()
    _bump(deal, stage.pk, deal.currency, 1, deal.amount)
    if people:
        set_people(member, deal, people, _audit=False)
    DealStageChange.objects.create(
        workspace_id=member.workspace_id,
        deal=deal,
        pipeline=pipeline,
        from_stage=None,
        to_stage=stage,
        changed_at=now,
        changed_by_id=member.user_id,
    )
    search.index(deal)
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=deal,
        changes={k: [None, v] for k, v in _snapshot(deal).items() if v not in (None, "")},
    )
    _timeline(
        member,
        deal,
        _("Deal %(name)s created in %(stage)s") % {"name": deal.name, "stage": stage.name},
        {"action": "create", "to": stage.name},
    )
    return deal


@transaction.atomic
def update_deal(
    member: Membership, deal: Deal, data: dict[str, Any], *, expected_version: int
) -> Deal:
    """Change a deal's fields if it is still at `expected_version`."""
    access.require(member, "deal", "edit", deal)
    before = _snapshot(deal)
    _clean_deal(member, deal, data, before)
    after = _snapshot(deal)
    now = timezone.now()
    updated = Deal.objects.filter(
        pk=deal.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        deleted_at__isnull=True,
    ).update(
        name=deal.name,
        amount=deal.amount,
        currency=deal.currency,
        expected_close=deal.expected_close,
        company_id=deal.company_id,
        owner_id=deal.owner_id,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated == 0:
        raise VersionConflict(
            Deal.objects.filter(pk=deal.pk, workspace_id=member.workspace_id).first()
        )
    deal.version, deal.updated_at = expected_version + 1, now
    totalled = ("amount", "currency", "owner")
    if any(before[k] != after[k] for k in totalled):
        _bump(
            deal,
            deal.stage_id,
            before["currency"],
            -1,
            -Decimal(before["amount"]),
            owner_id=before["owner"] or 0,
        )
        _bump(deal, deal.stage_id, deal.currency, 1, deal.amount)
    search.index(deal)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=deal,
        changes=changes,
    )
    return deal


@transaction.atomic
def move_deal(
    member: Membership,
    deal: Deal,
    stage_id: Any,
    *,
    expected_version: int,
    lost_reason: Any = None,
) -> Deal:
    """Move a deal to another stage of its pipeline, recording the change (optimistic lock)."""
    access.require(member, "deal", "edit", deal)
    stage = _stage_in(member, deal.pipeline_id, stage_id)
    reason_id = _lost_reason(member, stage, lost_reason)
    if stage.pk == deal.stage_id:
        if deal.version != expected_version:
            raise VersionConflict(deal)
        return deal
    now = timezone.now()
    status = _status_for(stage)
    updated = Deal.objects.filter(
        pk=deal.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        stage_id=deal.stage_id,
        deleted_at__isnull=True,
    ).update(
        stage=stage,
        status=status,
        lost_reason_id=reason_id,
        stage_entered_at=now,
        closed_at=now if status != Deal.Status.OPEN else None,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated == 0:
        raise VersionConflict(
            Deal.objects.filter(pk=deal.pk, workspace_id=member.workspace_id).first()
        )
    from_stage_id, entered = deal.stage_id, deal.stage_entered_at
    _bump(deal, from_stage_id, deal.currency, -1, -deal.amount)
    _bump(deal, stage.pk, deal.currency, 1, deal.amount)
    from_name = Stage.objects.filter(
        workspace_id=member.workspace_id, pk=from_stage_id
    ).values_list("name", flat=True)
    from_label = next(iter(from_name), "")
    DealStageChange.objects.create(
        workspace_id=member.workspace_id,
        deal=deal,
        pipeline_id=deal.pipeline_id,
        from_stage_id=from_stage_id,
        to_stage=stage,
        changed_at=now,
        changed_by_id=member.user_id,
        seconds_in_from=max(0, int((now - entered).total_seconds())),
    )
    deal.stage, deal.status, deal.lost_reason_id = stage, status, reason_id
    deal.stage_entered_at, deal.updated_at, deal.version = now, now, expected_version + 1
    deal.closed_at = now if status != Deal.Status.OPEN else None
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=deal,
        changes={"stage": [from_label, stage.name], "status": [None, status]},
    )
    _timeline(
        member,
        deal,
        _("Deal %(name)s moved from %(from)s to %(to)s")
        % {"name": deal.name, "from": from_label, "to": stage.name},
        {"action": "move", "from": from_label, "to": stage.name, "status": status},
    )
    return deal


@transaction.atomic
def set_people(
    member: Membership, deal: Deal, people: list[tuple[int, str]], *, _audit: bool = True
) -> None:
    """Replace the people on a deal with (person id, role) pairs they may see."""
    access.require(member, "deal", "edit", deal)
    ids = [pid for pid, _role in people]
    found = set(access.visible(member, Person).filter(pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        raise ValidationError({"people": _("Choose people in this workspace.")})
    DealPerson.objects.filter(workspace_id=member.workspace_id, deal=deal).delete()
    DealPerson.objects.bulk_create(
        DealPerson(workspace_id=member.workspace_id, deal=deal, person_id=pid, role=role[:60])
        for pid, role in people
    )
    if _audit:
        audit.record(
            audit.Action.UPDATE,
            workspace=member.workspace_id,
            actor=member.user,
            obj=deal,
            changes={"people": [None, [f"{pid}:{role}" for pid, role in people]]},
        )


@transaction.atomic
def trash_deal(member: Membership, deal: Deal, *, expected_version: int | None = None) -> None:
    access.require(member, "deal", "delete", deal)
    qs = Deal.objects.filter(pk=deal.pk, workspace_id=member.workspace_id, deleted_at__isnull=True)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    now = timezone.now()
    if qs.update(deleted_at=now, version=F("version") + 1, updated_at=now) == 0:
        raise VersionConflict(
            Deal.objects.filter(pk=deal.pk, workspace_id=member.workspace_id).first()
        )
    deal.deleted_at = now
    _bump(deal, deal.stage_id, deal.currency, -1, -deal.amount)
    search.remove(deal)
    audit.record(audit.Action.DELETE, workspace=member.workspace_id, actor=member.user, obj=deal)


@transaction.atomic
def restore_deal(member: Membership, deal: Deal) -> None:
    access.require(member, "deal", "delete", deal)
    if not Deal.objects.filter(
        pk=deal.pk, workspace_id=member.workspace_id, deleted_at__isnull=False
    ).update(deleted_at=None, version=F("version") + 1):
        return
    deal.deleted_at = None
    _bump(deal, deal.stage_id, deal.currency, 1, deal.amount)
    search.index(deal)
    audit.record(audit.Action.RESTORE, workspace=member.workspace_id, actor=member.user, obj=deal)
