"""Members, teams and invitations of a workspace (admins), and accepting an invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from amity.core import services
from amity.core.forms import AcceptInvitationForm, InviteForm, MemberForm, TeamForm
from amity.core.models import Invitation, Membership, Role, Team, User
from amity.core.views._common import admin_view, start_session


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's validation error on the form field it names (or the whole form)."""
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _flash_errors(request: HttpRequest, form: forms.Form) -> None:
    for problem in form.errors.as_data().values():
        for error in problem:
            for text in error.messages:
                messages.error(request, text)


def _member(by: Membership, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "role", "team"),
        pk=pk,
        workspace_id=by.workspace_id,
    )


def _render(request: HttpRequest, by: Membership, status: int = 200, **extra: Any) -> HttpResponse:
    members = list(
        Membership.objects.filter(workspace_id=by.workspace_id)
        .select_related("user", "role", "team")
        .order_by("-is_active", "user__email")
    )
    with_two_factor = set(
        TOTPDevice.objects.filter(
            user_id__in=[m.user_id for m in members], confirmed=True
        ).values_list("user_id", flat=True)
    )
    for m in members:
        m.two_factor = m.user_id in with_two_factor  # type: ignore[attr-defined]
    invitations = (
        Invitation.objects.filter(
            workspace_id=by.workspace_id, accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("role", "team")
        .order_by("-created_at")
    )
    ctx: dict[str, Any] = {
        "members": members,
        "invitations": list(invitations),
        "roles": list(Role.objects.filter(workspace_id=by.workspace_id).order_by("name")),
        "teams": list(Team.objects.filter(workspace_id=by.workspace_id).order_by("name")),
        "invite_form": InviteForm(by.workspace_id),
        "team_form": TeamForm(),
        **extra,
    }
    return render(request, "core/members.html", ctx, status=status)


@require_GET
@admin_view
def member_list(request: HttpRequest, by: Membership) -> HttpResponse:
    return _render(request, by)


@require_POST
@admin_view
def invite(request: HttpRequest, by: Membership) -> HttpResponse:
    """Invite someone by email; the email leaves through the outbox."""
    form = InviteForm(by.workspace_id, request.POST)
    if form.is_valid():
        try:
            services.invite(
                by, form.cleaned_data["email"], form.cleaned_data["role"], form.cleaned_data["team"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("core:members")
    return _render(request, by, 400, invite_form=form)


@require_POST
@admin_view
def revoke_invitation(request: HttpRequest, by: Membership, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation, pk=pk, workspace_id=by.workspace_id, accepted_at__isnull=True
    )
    services.revoke_invitation(by, invitation)
    messages.success(
        request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
    )
    return redirect("core:members")


@require_POST
@admin_view
def member_update(request: HttpRequest, by: Membership, pk: int) -> HttpResponse:
    """Change a member's role and team; audited as a permission change."""
    membership = _member(by, pk)
    form = MemberForm(by.workspace_id, request.POST)
    if form.is_valid():
        try:
            services.change_role(
                by, membership, form.cleaned_data["role"], form.cleaned_data["team"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(who)s is updated.") % {"who": membership.user})
            return redirect("core:members")
    _flash_errors(request, form)
    return _render(request, by, 400)


@require_POST
@admin_view
def member_deactivate(request: HttpRequest, by: Membership, pk: int) -> HttpResponse:
    """Take a member out of the workspace; their sessions end at their next request."""
    membership = _member(by, pk)
    try:
        services.deactivate_member(by, membership)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return _render(request, by, 400)
    messages.success(request, _("%(who)s is deactivated.") % {"who": membership.user})
    return redirect("core:members")


@require_POST
@admin_view
def member_end_sessions(request: HttpRequest, by: Membership, pk: int) -> HttpResponse:
    """Log a member out everywhere (say, after a lost laptop); audited as security."""
    membership = _member(by, pk)
    services.end_sessions(membership.user)
    services.audit_security(
        by.user,
        by.workspace_id,
        {"sessions": ["open", "ended"]},
        object_type="member",
        object_id=membership.user_id,
        object_repr=membership.user.email,
    )
    messages.success(request, _("%(who)s is logged out everywhere.") % {"who": membership.user})
    return redirect("core:members")


@require_POST
@admin_view
def member_reactivate(request: HttpRequest, by: Membership, pk: int) -> HttpResponse:
    membership = _member(by, pk)
    services.reactivate_member(by, membership)
    messages.success(request, _("%(who)s is active again.") % {"who": membership.user})
    return redirect("core:members")


@require_POST
@admin_view
def team_create(request: HttpRequest, by: Membership) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = services.save_team(by, form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Team %(name)s is created.") % {"name": team.name})
            return redirect("core:members")
    return _render(request, by, 400, team_form=form)


@require_POST
@admin_view
def team_rename(request: HttpRequest, by: Membership, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk, workspace_id=by.workspace_id)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            services.save_team(by, form.cleaned_data["name"], team)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The team is renamed."))
            return redirect("core:members")
    _flash_errors(request, form)
    return _render(request, by, 400)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Join a workspace from an emailed link: new people choose a name and password.

    Someone who already has an account joins while logged in as that account, so
    holding the link alone never changes an existing account.
    """
    invitation = services.find_invitation(token)
    if invitation is None:
        raise Http404(_("This invitation is no longer valid."))
    existing = User.objects.filter(email=invitation.email).first()
    ctx: dict[str, Any] = {"invitation": invitation, "existing": existing}
    if existing is not None:
        same_user = request.user.is_authenticated and request.user.pk == existing.pk
        ctx["same_user"] = same_user
        if request.method == "POST" and same_user:
            services.accept_invitation(invitation, full_name="", password=None)
            request.session["workspace_id"] = invitation.workspace_id
            messages.success(
                request, _("You joined %(name)s.") % {"name": invitation.workspace.name}
            )
            return redirect("web:home")
        return render(request, "core/accept_invitation.html", ctx)
    form = AcceptInvitationForm(invitation.email, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            raise Http404(_("This invitation is no longer valid.")) from error
        response = redirect("web:home")
        start_session(request, user, response)
        request.session["workspace_id"] = invitation.workspace_id
        messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.workspace.name})
        return response
    ctx["form"] = form
    return render(request, "core/accept_invitation.html", ctx, status=400 if form.errors else 200)
