"""Request plumbing: request ids, session lifetimes, the current workspace, security headers."""

from __future__ import annotations

import re
import secrets
import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone

from amity.core import context
from amity.core.models import Membership

Handler = Callable[[HttpRequest], HttpResponse]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming one) and record who asks from where."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"TRACE", "TRACK", "CONNECT"}:
            return HttpResponseNotAllowed(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(12)
        info = context.RequestInfo(
            ip=context.client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
            request_id=request_id,
        )
        token = context.set_current(info)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionTimeoutMiddleware:
    """End sessions past the absolute lifetime, or after the user's sessions were revoked.

    It also keeps the idle timer running: a session seen again after
    AMITY_SESSION_REFRESH_SECONDS is saved with a fresh expiry. Saving it on every
    request instead would make each page view a database write.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            started = request.session.get("started_at", 0)
            epoch = request.session.get("epoch")
            if (
                time.time() - started > settings.AMITY_SESSION_ABSOLUTE_SECONDS
                or epoch != user.session_epoch
                or not user.is_active
            ):
                logout(request)
            else:
                now = int(time.time())
                if (
                    now - request.session.get("seen_at", 0)
                    >= settings.AMITY_SESSION_REFRESH_SECONDS
                ):
                    request.session["seen_at"] = now
        return self.get_response(request)


class WorkspaceMiddleware:
    """Attach the membership of the workspace the user is working in (`request.membership`)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        timezone.deactivate()
        if request.user.is_authenticated:
            use_time_zone(getattr(request.user, "time_zone", ""))
            request.membership = current_membership(request)  # type: ignore[attr-defined]
            if (gate := two_factor_gate(request)) is not None:
                return gate
        return self.get_response(request)


def use_time_zone(name: str) -> None:
    """Show times in the user's chosen zone (their account preference)."""
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


# Paths a member may reach before setting up a required second factor.
TWO_FACTOR_OPEN = (
    "/account/2fa/",
    "/login/",
    "/logout/",
    "/api/",
    "/healthz",
    "/i18n/",
    "/workspaces/switch/",
)


def two_factor_gate(request: HttpRequest) -> HttpResponse | None:
    """Send a member of a workspace that requires 2FA to set it up before anything else."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or not membership.workspace.require_2fa:
        return None
    if request.user.is_verified() or request.path.startswith(TWO_FACTOR_OPEN):  # type: ignore[union-attr]
        return None
    return redirect("core:two_factor_setup")


def current_membership(request: HttpRequest) -> Membership | None:
    memberships = Membership.objects.select_related("workspace", "role", "team").filter(
        user_id=int(request.user.pk or 0), is_active=True
    )
    wanted = request.session.get("workspace_id")
    chosen = memberships.filter(workspace_id=wanted).first() if wanted else None
    if chosen is None:
        chosen = memberships.order_by("workspace__name").first()
        if chosen is not None:
            request.session["workspace_id"] = chosen.workspace_id
    return chosen


class SecurityHeadersMiddleware:
    """Headers Django does not set itself; pages with customer data are never cached."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith(str(settings.STATIC_URL)):
            response["Cache-Control"] = "no-store"
        return response
