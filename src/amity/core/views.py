"""Log in and out, switch workspace."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amity.core import audit, context, services
from amity.core.forms import LoginForm
from amity.core.models import Membership, User

LOCKED_MESSAGE = (
    "Too many failed attempts. This account is locked for 15 minutes; "
    "you can reset your password meanwhile."
)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def start_session(request: HttpRequest, user: User) -> None:
    """Log the user in on a fresh session id and stamp its lifetimes."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["started_at"] = time.time()
    request.session["epoch"] = user.session_epoch
    membership = (
        Membership.objects.filter(user=user, is_active=True).order_by("workspace__name").first()
    )
    if membership:
        request.session["workspace_id"] = membership.workspace_id
    audit.record(
        audit.Action.LOGIN,
        workspace=membership.workspace_id if membership else None,
        actor=user,
        object_type="user",
        object_id=user.pk,
    )


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = context.client_ip(request)
        if services.is_locked(email) or services.ip_is_throttled(ip):
            services.record_login_failure(email, ip, reason="locked")
            error = _(LOCKED_MESSAGE)
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                services.record_login_failure(email, ip, reason="bad credentials")
                error = _("That email and password do not match an account.")
            else:
                services.clear_login_failures(email)
                start_session(request, user)
                return redirect(_safe_next(request))
    status = 401 if error else 200
    return render(
        request,
        "core/login.html",
        {"form": form, "error": error, "next": _safe_next(request)},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        membership = getattr(request, "membership", None)
        audit.record(
            audit.Action.LOGOUT,
            workspace=membership.workspace_id if membership else None,
            actor=request.user,
            object_type="user",
            object_id=request.user.pk,
        )
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("core:login")


@login_required
@require_http_methods(["GET", "POST"])
def switch_workspace(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.select_related("workspace", "role")
        .filter(user_id=int(request.user.pk or 0), is_active=True)
        .order_by("workspace__name")
    )
    if request.method == "POST":
        chosen = memberships.filter(workspace_id=request.POST.get("workspace", "")).first()
        if chosen is not None:
            request.session["workspace_id"] = chosen.workspace_id
            messages.success(
                request, _("Now working in %(name)s.") % {"name": chosen.workspace.name}
            )
            return redirect("web:home")
        messages.error(request, _("Choose one of your workspaces."))
    return render(request, "core/switch_workspace.html", {"memberships": memberships})
