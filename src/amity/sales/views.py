"""Screens for deals: pipeline boards, the deal list, records, forms and the sales settings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.forms import member_users
from amity.customers.views import _attach_errors, _id, member_view
from amity.sales import quotes, scoring, selectors, services
from amity.sales.forms import (
    CurrencyForm,
    DealForm,
    LostReasonForm,
    PipelineForm,
    RateForm,
    ScoringRuleForm,
    StageForm,
)
from amity.sales.models import Deal, ExchangeRate, Pipeline

RATES_SHOWN = 20


def _date(value: str) -> date | None:
    try:
        return parse_date(value[:10]) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> selectors.DealFilters:
    get = request.GET
    owner = get.get("owner", "")
    if owner != "me" and _id(owner) is None:
        owner = ""
    status = get.get("status", "")
    return selectors.DealFilters(
        owner=owner,
        close_from=_date(get.get("close_from", "")),
        close_to=_date(get.get("close_to", "")),
        stage=_id(get.get("stage", "")),
        status=status if status in Deal.Status.values else "",
    )


def _pipeline(member: Membership, pk: Any) -> Pipeline:
    return access.get_for_user(member, Pipeline, pk)


def _deal_qs(member: Membership) -> QuerySet[Deal]:
    return access.visible(member, Deal).select_related(
        "company", "owner", "stage", "pipeline", "lost_reason"
    )


@require_GET
@member_view
def pipelines(request: HttpRequest, member: Membership) -> HttpResponse:
    """Open the first pipeline's board (creating the usual one in a new workspace)."""
    access.require(member, "deal", "view")
    first = selectors.pipelines(member).first()
    if first is None:
        first = services.install_default_pipeline(member.workspace_id)
    return redirect("sales:board", first.pk)


@require_GET
@member_view
def board(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a pipeline as columns of cards; filters by owner and expected close date."""
    access.require(member, "deal", "view")
    return _board(request, member, _pipeline(member, pk))


def _board(request: HttpRequest, member: Membership, pipeline: Pipeline) -> HttpResponse:
    filters = _filters(request)
    data = selectors.board(member, pipeline, filters)
    now = timezone.now()
    stages = [c.stage for c in data.columns]
    # Built once per column rather than per card: at 120 cards the template loop over
    # stages was the page's largest cost.
    detail_url = reverse("sales:deal_detail", args=[0]).removesuffix("0/")
    for column in data.columns:
        column.options = format_html_join(  # type: ignore[attr-defined]
            "",
            '<option value="{}"{}>{}</option>',
            ((s.pk, " selected" if s.pk == column.stage.pk else "", s.name) for s in stages),
        )
        for card in column.cards:
            card.rotting = selectors.is_rotting(card, column.stage, now)  # type: ignore[attr-defined]
            card.may_move = access.can(member, "deal", "edit", card)  # type: ignore[attr-defined]
            card.url = f"{detail_url}{card.pk}/"  # type: ignore[attr-defined]
    context = {
        "pipeline": pipeline,
        "pipelines": list(selectors.pipelines(member)),
        "board": data,
        "filters": filters,
        "owners": list(member_users(member)),
        "stages": stages,
        "lost_reasons": selectors.lost_reasons(member),
        "can_create": access.can(member, "deal", "create"),
        "query": request.GET.urlencode(),
    }
    name = "sales/board.html#board" if request.htmx else "sales/board.html"  # type: ignore[attr-defined]
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@member_view
def deal_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the deals the member may see, a page at a time."""
    access.require(member, "deal", "view")
    filters = _filters(request)
    sort = request.GET.get("sort", "-created")
    sort = sort if sort in selectors.DEAL_SORTS else "-created"
    page = selectors.deals(
        member,
        filters,
        sort=sort,
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
    )
    context = {
        "page": page,
        "filters": filters,
        "sort": sort,
        "owners": list(member_users(member)),
        "can_create": access.can(member, "deal", "create"),
    }
    name = "sales/deal_list.html#results" if request.htmx else "sales/deal_list.html"  # type: ignore[attr-defined]
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@member_view
def deal_detail(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show one deal with its people and stage history."""
    deal = access.get_for_user(member, Deal, pk, queryset=_deal_qs(member))
    history = list(
        deal.stage_changes.filter(workspace_id=member.workspace_id)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("-changed_at", "-id")[:50]
    )
    roles = list(
        deal.roles.filter(workspace_id=member.workspace_id, person__deleted_at__isnull=True)
        .select_related("person")
        .order_by("person__last_name", "id")
    )
    context = {
        "deal": deal,
        "history": history,
        "roles": roles,
        "stages": selectors.stages(member, deal.pipeline),
        "lost_reasons": selectors.lost_reasons(member),
        "may": {
            "edit": access.can(member, "deal", "edit", deal),
            "delete": access.can(member, "deal", "delete", deal),
            "quote": access.can(member, "quote", "create")
            and access.can(member, "deal", "edit", deal),
        },
        "quotes": list(quotes.quotes_of_deal(member, deal)[:50]),
    }
    from amity.sales.views_rules import deal_people_context

    context["people_panel"] = deal_people_context(
        member, deal, access.can(member, "deal", "edit", deal)
    )
    return render(request, "sales/deal_detail.html", context)


def _save_form(
    request: HttpRequest, member: Membership, instance: Deal | None, pipeline: Pipeline | None
) -> HttpResponse:
    initial = None
    if instance is None:
        initial = {
            "currency": services.settings_for(member.workspace_id).base_currency,
            "owner": member.user_id,
            "company": _id(request.GET.get("company", "")),
        }
    form = DealForm(
        request.POST if request.method == "POST" else None,
        member=member,
        instance=instance,
        **({"initial": initial} if initial else {}),
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                assert pipeline is not None
                deal = services.create_deal(member, pipeline, form.service_data())
            else:
                deal = services.update_deal(
                    member, instance, form.service_data(), expected_version=form.expected_version()
                )
        except ValidationError as exc:
            _attach_errors(form, exc)
        except VersionConflict as exc:
            if exc.current is None or exc.current.deleted_at is not None:
                messages.error(request, _("Someone moved this deal to the trash meanwhile."))
                return redirect("sales:deal_list")
            conflict = True
            current = access.get_for_user(member, Deal, exc.current.pk, "edit")
            form = DealForm(member=member, instance=current)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": deal})
            return redirect(deal)
    context = {"form": form, "deal": instance, "pipeline": pipeline, "conflict": conflict}
    return render(request, "sales/deal_form.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def deal_create(request: HttpRequest, member: Membership) -> HttpResponse:
    """Add a deal to a pipeline's first stage."""
    access.require(member, "deal", "create")
    pk = _id(request.GET.get("pipeline", ""))
    pipeline = _pipeline(member, pk) if pk is not None else selectors.pipelines(member).first()
    if pipeline is None:
        pipeline = services.install_default_pipeline(member.workspace_id)
    return _save_form(request, member, None, pipeline)


@require_http_methods(["GET", "POST"])
@member_view
def deal_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a deal; a stale form shows the newer values instead of overwriting them."""
    deal = access.get_for_user(member, Deal, pk, "edit", queryset=_deal_qs(member))
    return _save_form(request, member, deal, None)


@require_POST
@member_view
def deal_move(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Move a deal to another stage (drag and drop, or the card's stage select)."""
    deal = access.get_for_user(member, Deal, pk, "edit", queryset=_deal_qs(member))
    try:
        services.move_deal(
            member,
            deal,
            request.POST.get("stage"),
            expected_version=_id(request.POST.get("version", "")) or 0,
            lost_reason=request.POST.get("lost_reason") or None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except VersionConflict:
        messages.error(
            request,
            _("Someone changed %(name)s meanwhile; the board shows it now.") % {"name": deal},
        )
    else:
        messages.success(request, _("Moved %(name)s.") % {"name": deal})
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only 2xx answers: the refreshed board shows the outcome and its message.
        return _board(request, member, deal.pipeline)
    back = request.POST.get("next", "")
    if back == "detail":
        return redirect(deal)
    return redirect("sales:board", deal.pipeline_id)


@require_POST
@member_view
def deal_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Move a deal to the trash."""
    deal = access.get_for_user(member, Deal, pk, "delete")
    try:
        services.trash_deal(member, deal, expected_version=_id(request.POST.get("version", "")))
    except VersionConflict:
        messages.error(
            request, _("Someone changed %(name)s meanwhile; check it first.") % {"name": deal}
        )
        return redirect(deal)
    messages.success(request, _("Moved %(name)s to the trash.") % {"name": deal})
    return redirect("sales:board", deal.pipeline_id)


FORMS = {
    "pipeline": PipelineForm,
    "stage": StageForm,
    "currency": CurrencyForm,
    "rate": RateForm,
    "reason": LostReasonForm,
    "scoring": ScoringRuleForm,
}


@require_http_methods(["GET", "POST"])
@member_view
def sales_settings(request: HttpRequest, member: Membership) -> HttpResponse:
    """Let admins add pipelines, stages and lost reasons, and set currencies and rates."""
    if not access.can(member, "pipeline", "edit"):
        raise PermissionDenied(_("Only admins configure pipelines."))
    settings = services.settings_for(member.workspace_id)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    forms = {
        key: cls(request.POST if key == which else None, prefix=key) for key, cls in FORMS.items()
    }
    forms["currency"].initial = {"base_currency": settings.base_currency}
    if which in forms and forms[which].is_valid():
        data = forms[which].cleaned_data
        try:
            if which == "pipeline":
                services.create_pipeline(member, data["name"], _default_stage_rows())
            elif which == "stage":
                pipeline = _pipeline(member, request.POST.get("pipeline"))
                services.add_stage(member, pipeline, data)
            elif which == "currency":
                services.set_base_currency(member, data["base_currency"])
            elif which == "rate":
                services.set_rate(member, data["currency"], data["date"], data["rate"])
            elif which == "scoring":
                from amity.sales import leads

                leads.add_rule(member, data["attribute"], data["value"], data["points"])
            else:
                services.add_lost_reason(member, data["name"])
        except ValidationError as exc:
            _attach_errors(forms[which], exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:settings")
    pipelines = list(selectors.pipelines(member).prefetch_related("stages"))
    from amity.sales.views_leads import form_snippet

    context = {
        "snippet": form_snippet(request, member),
        "scoring_rules": scoring.rules_of(member.workspace_id),
        "forms": forms,
        "settings": settings,
        "pipelines": pipelines,
        "reasons": selectors.lost_reasons(member),
        "rates": list(
            ExchangeRate.objects.filter(workspace_id=member.workspace_id).order_by(
                "-date", "currency"
            )[:RATES_SHOWN]
        ),
    }
    return render(request, "sales/settings.html", context)


def _default_stage_rows() -> list[dict[str, Any]]:
    return [
        {"name": name, "probability": p, "rotting_days": r, "is_won": w, "is_lost": lost}
        for name, p, r, w, lost in services.DEFAULT_STAGES
    ]


@require_GET
@member_view
def funnel(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a pipeline's funnel, drop-off, time in stage, win rates and forecast as SVG."""
    from amity.sales import funnel as reports

    access.require(member, "deal", "view")
    pipeline = _pipeline(member, pk)
    today = timezone.localdate()
    start = _date(request.GET.get("from", "")) or today - timedelta(days=90)
    end = _date(request.GET.get("to", "")) or today
    if end < start:
        start, end = end, start
    data = reports.funnel(member, pipeline, start, end)
    reached = reports.bars(
        [
            (
                r.stage.name,
                r.reached,
                f"{r.conversion}%" if r.conversion is not None else "",
            )
            for r in data.rows
        ]
    )
    lost = reports.bars([(r.stage.name, r.lost_here, "") for r in data.rows if r.lost_here])
    reasons = reports.bars([(name, n, "") for name, n in data.lost_by_reason])
    context = {
        "pipeline": pipeline,
        "pipelines": list(selectors.pipelines(member)),
        "funnel": data,
        "reached": reached,
        "lost": lost,
        "reasons": reasons,
        "heights": {
            "reached": len(reached) * 28,
            "lost": len(lost) * 28,
            "reasons": len(reasons) * 28,
        },
    }
    return render(request, "sales/funnel.html", context)
