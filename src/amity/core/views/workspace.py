"""The workspace's own settings (admins) and switching between one's workspaces."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amity.core import services
from amity.core.forms import WorkspaceForm
from amity.core.models import Membership
from amity.core.views._common import admin_view


@require_http_methods(["GET", "POST"])
@admin_view
def workspace_settings(request: HttpRequest, by: Membership) -> HttpResponse:
    """Rename the workspace, require 2FA, set its zone and email tracking; audited."""
    workspace = by.workspace
    form = WorkspaceForm(
        request.POST or None,
        initial={
            "name": workspace.name,
            "require_2fa": workspace.require_2fa,
            "time_zone": workspace.time_zone,
            "email_tracking": workspace.email_tracking,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_workspace(
            by,
            name=form.cleaned_data["name"],
            require_2fa=form.cleaned_data["require_2fa"],
            time_zone=form.cleaned_data["time_zone"],
            email_tracking=form.cleaned_data["email_tracking"],
        )
        messages.success(request, _("The workspace settings are saved."))
        return redirect("core:workspace_settings")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "core/workspace_settings.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def switch_workspace(request: HttpRequest) -> HttpResponse:
    """Choose which of one's workspaces to work in; others are refused."""
    memberships = (
        Membership.objects.select_related("workspace", "role")
        .filter(user_id=int(request.user.pk or 0), is_active=True)
        .order_by("workspace__name")
    )
    if request.method == "POST":
        raw = request.POST.get("workspace", "")
        chosen = memberships.filter(workspace_id=int(raw)).first() if raw.isdigit() else None
        if chosen is not None:
            request.session["workspace_id"] = chosen.workspace_id
            messages.success(
                request, _("Now working in %(name)s.") % {"name": chosen.workspace.name}
            )
            return redirect("web:home")
        messages.error(request, _("Choose one of your workspaces."))
    return render(
        request,
        "core/switch_workspace.html",
        {"memberships": memberships},
        status=400 if request.method == "POST" else 200,
    )
