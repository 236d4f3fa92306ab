"""The user's own account: profile, email, password, two-factor, sessions and API tokens."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from amity.core import services
from amity.core.forms import (
    CurrentPasswordForm,
    EmailChangeForm,
    ProfileForm,
    TokenForm,
    TotpConfirmForm,
)
from amity.core.models import ApiToken, Membership
from amity.core.views._common import (
    is_verified,
    keep_this_session,
    set_language_cookie,
    user_of,
    verified_view,
)


def _workspace_id(request: HttpRequest) -> int | None:
    membership: Membership | None = getattr(request, "membership", None)
    return membership.workspace_id if membership else None


def _render(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    """Render the account page; `forms` replaces blank forms with bound ones (or adds extras)."""
    user = user_of(request)
    membership: Membership | None = getattr(request, "membership", None)
    tokens: list[ApiToken] = []
    if membership is not None:
        tokens = list(
            ApiToken.objects.filter(
                workspace_id=membership.workspace_id, user_id=user.pk, revoked_at__isnull=True
            ).order_by("-created_at")
        )
    two_factor = services.has_two_factor(user)
    ctx: dict[str, Any] = {
        "profile_form": ProfileForm(instance=user),
        "email_form": EmailChangeForm(user),
        "password_form": PasswordChangeForm(user),
        "disable_form": CurrentPasswordForm(user, prefix="disable"),
        "codes_form": CurrentPasswordForm(user, prefix="codes"),
        "token_form": TokenForm(),
        "two_factor": two_factor,
        "recovery_left": services.unused_recovery_codes(user) if two_factor else 0,
        "tokens": tokens,
        **forms,
    }
    return render(request, "core/account.html", ctx, status=status)


@verified_view
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Show the account page; a POST saves name, language and time zone."""
    user = user_of(request)
    if request.method != "POST":
        return _render(request)
    form = ProfileForm(request.POST, instance=user)
    if not form.is_valid():
        return _render(request, 400, profile_form=form)
    form.save()
    messages.success(request, _("Your preferences are saved."))
    response = redirect("core:account")
    set_language_cookie(response, user.language)
    return response


@verified_view
@require_POST
def change_email(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = EmailChangeForm(user, request.POST)
    if not form.is_valid():
        return _render(request, 400, email_form=form)
    services.change_email(user, form.cleaned_data["email"], workspace_id=_workspace_id(request))
    keep_this_session(request, user)
    messages.success(request, _("Your email is changed; your other sessions ended."))
    return redirect("core:account")


@verified_view
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = PasswordChangeForm(user, request.POST)
    if not form.is_valid():
        return _render(request, 400, password_form=form)
    form.save()
    update_session_auth_hash(request, user)
    services.password_changed(user, workspace_id=_workspace_id(request))
    keep_this_session(request, user)
    messages.success(request, _("Your password is changed; your other sessions ended."))
    return redirect("core:account")


@verified_view
@require_POST
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    services.end_sessions(user)
    keep_this_session(request, user)
    services.audit_security(user, _workspace_id(request), {"sessions": ["others", "ended"]})
    messages.success(request, _("You are logged out everywhere else."))
    return redirect("core:account")


@require_http_methods(["GET", "POST"])
@verified_view
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show a QR code for an authenticator app; a correct code turns two-factor on."""
    user = user_of(request)
    if services.has_two_factor(user):
        if not is_verified(request):
            logout(request)
            return redirect("core:login")
        messages.info(request, _("Two-factor authentication is already on."))
        return redirect("core:account")
    device = services.pending_totp_device(user)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].replace(" ", "").strip()
        codes = services.confirm_two_factor(user, device, code, workspace_id=_workspace_id(request))
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            keep_this_session(request, user)
            return render(request, "core/recovery_codes.html", {"codes": codes, "first": True})
        form.add_error("code", _("That code does not match. Check the phone's clock and retry."))
    uri = services.totp_setup_uri(device)
    qr = segno.make(uri, error="m")
    return render(
        request,
        "core/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2, dark="#000", light="#fff"),
            "secret": uri.split("secret=", 1)[1].split("&", 1)[0],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@verified_view
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = CurrentPasswordForm(user, request.POST, prefix="disable")
    if not form.is_valid():
        return _render(request, 400, disable_form=form)
    services.disable_two_factor(user, workspace_id=_workspace_id(request))
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("core:account")


@verified_view
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes and show the new ones once."""
    user = user_of(request)
    if not services.has_two_factor(user):
        raise PermissionDenied(_("Turn on two-factor authentication first."))
    form = CurrentPasswordForm(user, request.POST, prefix="codes")
    if not form.is_valid():
        return _render(request, 400, codes_form=form)
    codes = services.regenerate_recovery_codes(user, workspace_id=_workspace_id(request))
    return render(request, "core/recovery_codes.html", {"codes": codes, "first": False})


@verified_view
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    """Create an API token and show its secret this once."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("API tokens belong to a workspace; join one first."))
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, 400, token_form=form)
    token, secret = services.create_token(membership, form.cleaned_data["name"])
    return _render(request, new_token=token, new_secret=secret)


@verified_view
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    token = ApiToken.objects.filter(
        pk=pk,
        workspace_id=membership.workspace_id,
        user_id=membership.user_id,
        revoked_at__isnull=True,
    ).first()
    if token is None:
        raise Http404
    services.revoke_token(membership, token)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("core:account")
