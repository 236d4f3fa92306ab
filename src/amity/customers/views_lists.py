"""Screens around the lists: saved views, and bulk actions with their progress."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import bulk, saved_views, selectors
from amity.customers.forms import member_users
from amity.customers.views import member_view

LIST_URLS = {"person": "customers:person_list", "company": "customers:company_list"}


def _kind(value: str) -> str:
    if value not in LIST_URLS:
        raise Http404
    return value


def _list_url(kind: str, params: dict[str, Any], view_id: int | None = None) -> str:
    query = selectors.query_pairs({k: str(v) for k, v in params.items() if v})
    if view_id is not None:
        query.append(("view", str(view_id)))
    suffix = f"?{urlencode(query)}" if query else ""
    return reverse(LIST_URLS[kind]) + suffix


# Saved views


@require_POST
@member_view
def view_save(request: HttpRequest, member: Membership, kind: str) -> HttpResponse:
    """Save the list's current filters, sort and columns under a name."""
    kind = _kind(kind)
    params = request.POST  # filters_in reads every value of a multi-value filter
    try:
        view = saved_views.save(
            member,
            kind,
            request.POST.get("name", ""),
            params,
            shared=request.POST.get("shared") == "on",
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(_list_url(kind, saved_views.clean_params(kind, params)))
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return redirect(_list_url(kind, view.params, view.pk))


@require_POST
@member_view
def view_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Delete a saved view (its owner, or an admin for a shared one)."""
    view = saved_views.get(member, pk)
    version = request.POST.get("version", "")
    try:
        saved_views.delete(member, view, expected_version=int(version) if version.isdigit() else 0)
    except VersionConflict:
        messages.error(request, _("Someone changed this view meanwhile; check it first."))
        return redirect(_list_url(view.kind, view.params, view.pk))
    messages.success(request, _("Deleted the view “%(name)s”.") % {"name": view.name})
    return redirect(LIST_URLS[view.kind])


# Bulk actions


def _target(request: HttpRequest) -> bulk.Target:
    post = request.POST
    if post.get("scope") == "all":
        return bulk.target_from((), selectors.filters_in(post))
    return bulk.target_from(post.getlist("ids"), None)


@require_POST
@member_view
def bulk_action(request: HttpRequest, member: Membership, kind: str) -> HttpResponse:
    """Show what a bulk action would do; once confirmed, do it or hand it to the worker."""
    kind = _kind(kind)
    action = request.POST.get("action", "")
    if not any(access.can(member, kind, needed) for needed, _label in bulk.ACTIONS.values()):
        raise PermissionDenied
    target = _target(request)
    filters = selectors.filters_in(request.POST)
    back = _list_url(kind, filters)
    try:
        args = {
            "owner": request.POST.get("new_owner"),
            "tag": request.POST.get("bulk_tag", "")[:100],
        }
        plan = bulk.plan(member, kind, action, target, args)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        owner = None
        if plan.args.get("owner"):
            owner = member_users(member).filter(pk=plan.args["owner"]).first()
        context = {
            "plan": plan,
            "kind": kind,
            "label": bulk.ACTIONS[action][1],
            "owner": owner,
            "ids": target.ids,
            "scope": "all" if target.filters is not None else "selected",
            "filters": selectors.query_pairs(filters),
            "back": back,
        }
        return render(request, "customers/bulk_confirm.html", context)
    if plan.in_background:
        job = bulk.start_job(member, plan)
        return redirect("customers:bulk_job", pk=job.pk)
    result = bulk.run_now(member, plan)
    messages.success(
        request,
        _("Done: %(changed)s changed, %(skipped)s left as they were.")
        % {"changed": result.changed, "skipped": result.total - result.changed},
    )
    return redirect(back)


@require_GET
@member_view
def bulk_job(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a large bulk action's progress (htmx polls it) and its outcome."""
    job = bulk.own_job(member, pk)
    back = "customers:tags" if job.kind == "tag" else LIST_URLS.get(job.kind)
    context = {"job": job, "back": back or "customers:person_list"}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "customers/_bulk_status.html", context)
    return render(request, "customers/bulk_job.html", context)
