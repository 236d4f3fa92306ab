"""The public ends of email tracking: the open pixel and the click redirect (no login)."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from amity.core import context
from amity.customers import email_tracking

# The smallest transparent GIF: 1×1, one colour.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _client(request: HttpRequest) -> str:
    return context.client_ip(request) or "unknown"


@require_http_methods(["GET", "HEAD"])
def track_open(request: HttpRequest, token: str) -> HttpResponse:
    """Answer the pixel, whatever the token: a mail client shows no broken image."""
    if request.method == "GET":
        email_tracking.record_open(token, _client(request))
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def track_click(request: HttpRequest, token: str) -> HttpResponse:
    """Redirect to the URL recorded for the token, and nowhere else (no open redirect)."""
    if request.method == "GET":
        url = email_tracking.record_click(token, _client(request))
    else:
        url = email_tracking.url_of(token)
    if url is None:
        raise Http404
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    return response
