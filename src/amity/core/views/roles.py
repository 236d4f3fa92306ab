"""Roles: what each may do to each kind of record (admins read and edit them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from amity.core import access, services
from amity.core.models import Membership, Role
from amity.core.views._common import admin_view

# Admin screens are guarded by the admin role itself, so "member" grants are not shown.
HIDDEN_TYPES = {"member"}
TYPE_LABELS: dict[str, Promise] = {
    "company": gettext_lazy("Companies"),
    "person": gettext_lazy("People"),
    "note": gettext_lazy("Notes"),
    "audit": gettext_lazy("Audit log"),
    "custom_field": gettext_lazy("Custom fields"),
    "task": gettext_lazy("Tasks"),
}
ACTION_LABELS: dict[str, Promise] = {
    "view": gettext_lazy("View"),
    "create": gettext_lazy("Create"),
    "edit": gettext_lazy("Edit"),
    "delete": gettext_lazy("Delete"),
    "export": gettext_lazy("Export"),
    "reveal": gettext_lazy("Reveal"),
    "privacy": gettext_lazy("Data-subject rights"),
}
SCOPE_LABELS: dict[str, Promise] = {
    "": gettext_lazy("None"),
    "own": gettext_lazy("Own"),
    "team": gettext_lazy("Team"),
    "all": gettext_lazy("All"),
}


@dataclass(frozen=True)
class Cell:
    name: str
    action: str
    label: str
    scope: str


@dataclass(frozen=True)
class Row:
    object_type: str
    label: str
    cells: list[Cell]


def object_types(roles: list[Role]) -> list[str]:
    """Return the record kinds to show: the known ones, then any a role grants."""
    found = [t for t in access.OBJECT_TYPES if t not in HIDDEN_TYPES]
    for role in roles:
        found += [t for t in role.grants if t not in found and t not in HIDDEN_TYPES]
    return found


def grid(role: Role, types: list[str]) -> list[Row]:
    rows = []
    for object_type in types:
        granted = role.grants.get(object_type, {})
        cells = [
            Cell(
                f"{object_type}.{action}",
                action,
                str(ACTION_LABELS.get(action, action)),
                "all" if role.is_admin else granted.get(action, ""),
            )
            for action in access.ACTIONS
        ]
        label = str(TYPE_LABELS.get(object_type, object_type.replace("_", " ").capitalize()))
        rows.append(Row(object_type, label, cells))
    return rows


def _context() -> dict[str, object]:
    return {
        "actions": [(a, ACTION_LABELS.get(a, a)) for a in access.ACTIONS],
        "scopes": list(SCOPE_LABELS.items()),
    }


@require_GET
@admin_view
def role_list(request: HttpRequest, by: Membership) -> HttpResponse:
    roles = list(Role.objects.filter(workspace_id=by.workspace_id).order_by("-is_admin", "name"))
    types = object_types(roles)
    ctx = _context() | {"roles": [(role, grid(role, types)) for role in roles]}
    return render(request, "core/roles.html", ctx)


@require_http_methods(["GET", "POST"])
@admin_view
def role_edit(request: HttpRequest, by: Membership, pk: int) -> HttpResponse:
    """Edit a non-admin role's grants: one select (none/own/team/all) per kind and action."""
    role = get_object_or_404(Role, pk=pk, workspace_id=by.workspace_id)
    types = object_types([role])
    errors: list[str] = []
    if role.is_admin:
        errors.append(_("The admin role always has every permission and cannot be edited."))
    elif request.method == "POST":
        grants = {t: dict(g) for t, g in role.grants.items() if t not in types}
        for object_type in types:
            for action in access.ACTIONS:
                scope = request.POST.get(f"{object_type}.{action}", "")
                if scope not in SCOPE_LABELS:
                    errors.append(_("Choose none, own, team or all."))
                elif scope:
                    grants.setdefault(object_type, {})[action] = scope
        if not errors:
            try:
                services.update_role_grants(by, role, grants)
            except ValidationError as error:
                errors += error.messages
            else:
                messages.success(request, _("The role %(name)s is saved.") % {"name": role.name})
                return redirect("core:roles")
    ctx = _context() | {"role": role, "rows": grid(role, types), "errors": errors}
    status = 400 if errors and request.method == "POST" else 200
    return render(request, "core/role_edit.html", ctx, status=status)
