from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amity.core import access
from amity.core.models import Membership
from amity.core.paging import COUNT_CAP
from amity.core.views._common import needs_second_factor
from amity.customers.models import Company, Person


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the app and its database respond, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


RECENT = 5


def _capped_count(qs: QuerySet[Any]) -> str:
    total = qs.order_by()[: COUNT_CAP + 1].count()
    return f"{COUNT_CAP:,}+" if total > COUNT_CAP else f"{total:,}"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show the member's dashboard: what they can reach, what they touched, what to add."""
    if (response := needs_second_factor(request)) is not None:
        return response
    member: Membership | None = getattr(request, "membership", None)
    context: dict[str, Any] = {"sections": []}
    if member is None:
        return render(request, "web/home.html", context)
    for model, label, create_url, list_url in (
        (Company, _("Companies"), "customers:company_create", "customers:company_list"),
        (Person, _("People"), "customers:person_create", "customers:person_list"),
    ):
        kind = model.ACCESS_TYPE
        if not access.can(member, kind, "view"):
            continue
        visible = access.visible(member, model)
        recent = visible.filter(owner_id=member.user_id).order_by("-updated_at", "-id")
        context["sections"].append(
            {
                "kind": kind,
                "label": label,
                "count": _capped_count(visible),
                "recent": list(recent[:RECENT]),
                "list_url": list_url,
                "create_url": create_url if access.can(member, kind, "create") else "",
            }
        )
    return render(request, "web/home.html", context)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 400, "title": _("Bad request")}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"status": 403, "title": _("Not allowed"), "detail": str(exception or "")},
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404, "title": _("Not found")}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/error.html", {"status": 500, "title": _("Something went wrong")}, status=500
    )
