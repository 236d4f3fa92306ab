"""The workspace's audit log: filter, page through and export who did what."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amity.core import access, audit
from amity.core.exports import csv_lines
from amity.core.forms import AuditFilterForm
from amity.core.models import AuditEvent, Membership
from amity.core.paging import paginate
from amity.core.views._common import membership_of, verified_view

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = (
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "changes",
    "reason",
    "ip",
    "user_agent",
    "request_id",
)


def _auditor(request: HttpRequest, action: str = "view") -> Membership:
    membership = membership_of(request)
    access.require(membership, "audit", action)
    return membership


def _filtered(
    membership: Membership, request: HttpRequest, action: str = "view"
) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    # An audit grant's scope is whose actions the member may read: their own,
    # their team's, or everyone's in the workspace.
    scope = access.scope_for(membership, "audit", action)
    members = Membership.objects.filter(workspace_id=membership.workspace_id)
    if scope == "own":
        members = members.filter(user_id=membership.user_id)
    elif scope == "team":
        members = members.filter(
            Q(user_id=membership.user_id) | Q(team_id=membership.team_id or 0, is_active=True)
        )
    actors = list(members.order_by("user__email").values_list("user_id", "user__email"))
    form = AuditFilterForm(actors, request.GET or None)
    qs = AuditEvent.objects.filter(workspace_id=membership.workspace_id)
    if scope != "all":
        qs = qs.filter(actor_id__in=[user_id for user_id, _ in actors])
    if form.is_bound:
        form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if data.get("actor"):
        qs = qs.filter(actor_id=data["actor"])
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if data.get("object_type"):
        qs = qs.filter(object_type=data["object_type"].strip())
    if data.get("object_id"):
        qs = qs.filter(object_id=data["object_id"].strip())
    zone = timezone.get_current_timezone()
    if data.get("since"):
        qs = qs.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
    if data.get("until"):
        end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone)
        qs = qs.filter(at__lt=end)
    return form, qs


@require_GET
@verified_view
def audit_log(request: HttpRequest) -> HttpResponse:
    """List the workspace's events, newest first, 50 a page; htmx asks for the rows only."""
    membership = _auditor(request)
    form, qs = _filtered(membership, request)
    page = paginate(
        qs.select_related("actor"),
        ["-at", "-id"],
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    ctx = {
        "form": form,
        "page": page,
        "can_export": access.can(membership, "audit", "export"),
    }
    template = "core/_audit_rows.html" if getattr(request, "htmx", False) else "core/audit_log.html"
    return render(request, template, ctx)


def _row(event: AuditEvent) -> list[object]:
    return [
        event.at.isoformat(),
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        json.dumps(event.changes, ensure_ascii=False, sort_keys=True) if event.changes else "",
        event.reason,
        event.ip or "",
        event.user_agent,
        event.request_id,
    ]


@require_GET
@verified_view
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """Download the filtered events as formula-safe CSV; the download is itself audited."""
    membership = _auditor(request, "export")
    form, qs = _filtered(membership, request, "export")
    if form.errors:
        return HttpResponseBadRequest(_("Fix the filters before exporting."))
    count = qs[:EXPORT_LIMIT].count()
    filters = {k: str(v) for k, v in getattr(form, "cleaned_data", {}).items() if v}
    audit.record(
        audit.Action.EXPORT,
        workspace=membership.workspace_id,
        actor=membership.user,
        object_type="audit",
        object_repr=_("Audit log"),
        changes={"rows": [None, count], "filters": [None, filters]},
    )
    events = qs.order_by("-at", "-id")[:EXPORT_LIMIT]

    def lines() -> Iterator[str]:
        yield from csv_lines([EXPORT_COLUMNS])
        yield from csv_lines(_row(e) for e in events.iterator(chunk_size=2000))

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
