"""What the core views share: who is asking, in which workspace, and whether they may."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from amity.core import audit, services
from amity.core.models import Membership, User

type View[**P] = Callable[Concatenate[HttpRequest, P], HttpResponseBase]
type MemberView[**P] = Callable[Concatenate[HttpRequest, Membership, P], HttpResponseBase]


def safe_next(request: HttpRequest) -> str:
    """Return the `next` target when it stays on this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def is_verified(request: HttpRequest) -> bool:
    """Return whether this session passed a second factor (django-otp)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def membership_of(request: HttpRequest) -> Membership:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any workspace."))
    return membership


def set_language_cookie(response: HttpResponse, language: str) -> None:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


def start_session(
    request: HttpRequest,
    user: User,
    response: HttpResponse | None = None,
    *,
    device: object | None = None,
) -> None:
    """Log the user in on a fresh session id, stamp its lifetimes and record the login."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
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
        reason="two-factor" if device is not None else "",
    )
    if response is not None and user.language:
        set_language_cookie(response, user.language)


def keep_this_session(request: HttpRequest, user: User) -> None:
    """Carry the current session over after the user's other sessions were ended."""
    request.session["epoch"] = user.session_epoch


def needs_second_factor(request: HttpRequest) -> HttpResponse | None:
    """Send a session that skipped the user's second factor back to the login."""
    if is_verified(request) or not services.has_two_factor(user_of(request)):
        return None
    logout(request)
    messages.info(request, _("Log in again with your authenticator code."))
    return redirect("core:login")


def verified_view[**P](view: View[P]) -> View[P]:
    """Require a login, and the second factor when the user has one."""

    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if (response := needs_second_factor(request)) is not None:
            return response
        return view(request, *args, **kwargs)

    return cast("View[P]", login_required(wraps(view)(wrapper)))


def admin_view[**P](view: MemberView[P]) -> View[P]:
    """Require a verified login and the admin role in the current workspace (else 403)."""

    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        membership = membership_of(request)
        if not membership.role.is_admin:
            raise PermissionDenied(_("Only workspace admins may do this."))
        return view(request, membership, *args, **kwargs)

    return verified_view(cast("View[P]", wraps(view)(wrapper)))
