"""The "Deals" panel on company and person pages, through the customers panel registry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from amity.core import access
from amity.core.models import Membership
from amity.customers import panels


def _context(member: Membership, record: Any) -> dict[str, Any]:
    from amity.sales import selectors

    if record.ACCESS_TYPE == "company":
        found = selectors.deals_for(member, company_id=record.pk)
    else:
        found = selectors.deals_for(member, person_id=record.pk)
    return {
        "deals": found,
        "can_create": access.can(member, "deal", "create"),
    }


def register() -> None:
    panels.register(
        "deals",
        title=_("Deals"),
        template="sales/_deals_panel.html",
        context=_context,
        allowed=lambda member, record: access.can(member, "deal", "view"),
        kinds=("company", "person"),
        order=30,
    )


def _score_context(member: Membership, record: Any) -> dict[str, Any]:
    from amity.sales.models import PersonScore

    found = PersonScore.objects.filter(
        workspace_id=member.workspace_id, person_id=record.pk
    ).first()
    return {"score": found}


def score_annotation(member: Membership) -> Any:
    """The person's score as a list column: 0 until the worker first scores them."""
    from django.db.models import IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from amity.sales.models import PersonScore

    scores = PersonScore.objects.filter(workspace_id=member.workspace_id, person_id=OuterRef("pk"))
    return Coalesce(
        Subquery(scores.values("score")[:1], output_field=IntegerField()),
        Value(0),
        output_field=IntegerField(),
    )


def _min_score(value: str) -> Any:
    from django.db.models import Q

    number = value.strip().lstrip("-")
    if not number.isdigit() or len(number) > 6:
        return Q()
    return Q(sales_score__gte=int(value.strip()))


def _rescore_on_write(record: Any) -> None:
    from amity.sales import scoring
    from amity.sales.models import ScoringRule

    if not ScoringRule.objects.filter(workspace_id=record.workspace_id, active=True).exists():
        return
    if record.ACCESS_TYPE == "person":
        scoring.rescore_person_later(record.workspace_id, record.pk)
    elif record.ACCESS_TYPE == "company":
        # Industry and size come from the company: its people's scores may change.
        from amity.customers.models import Person

        ids = Person.objects.filter(
            workspace_id=record.workspace_id, company_id=record.pk, deleted_at__isnull=True
        ).values_list("pk", flat=True)[:500]
        for person_id in list(ids):
            scoring.rescore_person_later(record.workspace_id, person_id)


def _rescore_on_engagement(workspace_id: int, person_id: int, kind: str) -> None:
    from amity.sales import scoring
    from amity.sales.models import ScoringRule

    if ScoringRule.objects.filter(workspace_id=workspace_id, active=True).exists():
        scoring.rescore_person_later(workspace_id, person_id)


def register_scores() -> None:
    """The person's score: a panel with its reasons, a list column, sort and filter."""
    from amity.core import tasks
    from amity.customers import columns, email_tracking, selectors, write_hooks
    from amity.sales import scoring

    panels.register(
        "score",
        title=_("Score"),
        template="sales/_score_panel.html",
        context=_score_context,
        allowed=lambda member, record: access.can(member, "lead", "view"),
        kinds=("person",),
        order=25,
    )
    selectors.register_person_extra(
        selectors.PersonListExtra(
            name="sales_score",
            annotation=score_annotation,
            sorts={"score": ["sales_score", "id"], "-score": ["-sales_score", "-id"]},
            filter_key="min_score",
            filter=_min_score,
        )
    )
    columns.register(
        "person",
        columns.Column(
            "score",
            _("Score"),
            lambda p: getattr(p, "sales_score", None),
            sort="score",
            desc_first=True,
            nowrap=True,
        ),
    )
    write_hooks.register(_rescore_on_write)
    email_tracking.register_engagement_hook(_rescore_on_engagement)
    tasks.register_sweep(scoring.decay_sweep)
