"""Log in (password, then a code when the user has two-factor), log out, reset a password."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amity.core import audit, context, services
from amity.core.forms import CodeForm, LoginForm, OutboxPasswordResetForm
from amity.core.models import Membership, RecoveryCodeDevice, User
from amity.core.views._common import safe_next, start_session

PENDING_KEY = "pending_login"
PENDING_SECONDS = 5 * 60


def locked_message() -> str:
    return _(
        "Too many failed attempts. This account is locked for 15 minutes; "
        "you can reset your password meanwhile."
    )


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Check the password; finish the login, or ask for the second factor."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        ip = context.client_ip(request)
        attempt = services.reserve_login_attempt(email, ip)
        if attempt is None:
            services.record_login_failure(email, ip, reason="locked", counted=False)
            error = locked_message()
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if not isinstance(user, User):
                services.record_login_failure(email, ip, reason="bad credentials", counted=False)
                error = _("That email and password do not match an account.")
            elif services.has_two_factor(user):
                # The code step decides; this attempt no longer counts as a failure.
                services.release_login_attempt(attempt)
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    "at": time.time(),
                    "epoch": user.session_epoch,
                    "next": safe_next(request),
                }
                return redirect("core:login_verify")
            else:
                services.clear_login_failures(email)
                response = redirect(safe_next(request))
                start_session(request, user, response)
                return response
    return render(
        request,
        "core/login.html",
        {"form": form, "error": error, "next": safe_next(request)},
        status=401 if error else 200,
    )


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.session_epoch != pending.get("epoch"):
        return None
    return user, pending


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """Take the authenticator code (or a recovery code) after a correct password."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Log in with your email and password first."))
        return redirect("core:login")
    user, pending = found
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        ip = context.client_ip(request)
        attempt = services.reserve_login_attempt(user.email, ip)
        if attempt is None:
            services.record_login_failure(user.email, ip, reason="locked", counted=False)
            request.session.pop(PENDING_KEY, None)
            error = locked_message()
        else:
            device = services.verify_second_factor(user, form.cleaned_data["code"])
            if device is None:
                services.record_login_failure(user.email, ip, reason="bad code", counted=False)
                error = _("That code is not valid. Codes work once; wait for the next one.")
            else:
                services.clear_login_failures(user.email)
                del request.session[PENDING_KEY]
                response = redirect(pending.get("next") or "/")
                start_session(request, user, response, device=device)
                if isinstance(device, RecoveryCodeDevice):
                    left = services.unused_recovery_codes(user)
                    messages.warning(
                        request,
                        _("You used a recovery code; %(left)d are left.") % {"left": left},
                    )
                return response
    return render(
        request,
        "core/login_verify.html",
        {"form": form, "error": error},
        status=401 if error else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        membership: Membership | None = getattr(request, "membership", None)
        audit.record(
            audit.Action.LOGOUT,
            workspace=membership.workspace_id if membership else None,
            actor=request.user,
            object_type="user",
            object_id=request.user.pk or "",
        )
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("core:login")


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link; the answer is the same whether or not the address has an account."""

    form_class = OutboxPasswordResetForm
    template_name = "core/password_reset.html"
    email_template_name = "core/email/password_reset.txt"
    subject_template_name = "core/email/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the emailed link; the login afterwards still asks for 2FA."""

    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        user = self.user
        assert user is not None
        workspace_id = (
            Membership.objects.filter(user=user, is_active=True)
            .values_list("workspace_id", flat=True)
            .first()
        )
        services.password_changed(user, workspace_id=workspace_id, reset=True)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"
