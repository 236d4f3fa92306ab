"""The global search page and the top bar's quick results, over core.search."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from amity.core import search as core_search
from amity.core.models import Membership
from amity.customers.views import member_view

PAGE_LIMIT = 50
DROPDOWN_LIMIT = 8
DROPDOWN_TARGET = "search-dropdown"


@require_GET
@member_view
def search(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show what matches `q` among the records the member may see, grouped by type."""
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    dropdown = bool(request.htmx) and request.htmx.target == DROPDOWN_TARGET  # type: ignore[attr-defined]
    limit = DROPDOWN_LIMIT if dropdown else PAGE_LIMIT
    hits = core_search.query(member, q, limit=limit) if q else []
    context = {
        "q": q,
        "hits": hits,
        "groups": core_search.group(hits),
        "capped": len(hits) >= limit,
        "limit": limit,
    }
    template = "web/search.html#dropdown" if dropdown else "web/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
