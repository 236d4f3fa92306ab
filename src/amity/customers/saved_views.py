"""Saved list views: a member's named filters, sort and columns, private or shared."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import columns, selectors
from amity.customers.models import SavedView

KINDS = ("person", "company")
# The list parameters a view keeps; paging cursors are never part of a view.
PARAMS = (*selectors.FILTER_KEYS, "sort", "cols")
MAX_VIEWS = 100


def clean_params(kind: str, raw: Mapping[str, Any]) -> dict[str, str]:
    """Return the list parameters worth keeping, as strings, without empty ones."""
    params = selectors.filters_in(raw)
    for key in ("sort", "cols"):
        if raw.get(key) not in (None, ""):
            params[key] = str(raw[key])[:300]
    if "cols" in params:
        # Custom field columns (cf_<key>) are kept as given; the list ignores unknown ones.
        known = set(columns.parse(kind, params["cols"]))
        keys = params["cols"].split(",")
        params["cols"] = ",".join(k for k in keys if k in known or k.startswith("cf_"))[:300]
    return params


def for_member(member: Membership, kind: str) -> QuerySet[SavedView]:
    """Return the views the member may use: their own and every shared one."""
    return (
        SavedView.objects.filter(workspace_id=member.workspace_id, kind=kind)
        .filter(Q(owner_id=member.user_id) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def get(member: Membership, pk: int) -> SavedView:
    """Return a view the member may use; anyone else's private view is a 404."""
    view = (
        SavedView.objects.filter(pk=pk, workspace_id=member.workspace_id)
        .filter(Q(owner_id=member.user_id) | Q(shared=True))
        .first()
    )
    if view is None or not access.can(member, view.kind, "view"):
        raise Http404
    return view


def may_change(member: Membership, view: SavedView) -> bool:
    """Only the view's owner, or a workspace admin, renames or deletes it."""
    return bool(view.owner_id == member.user_id or member.role.is_admin)


def _validate_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name to 80 characters.")})
    return name


@transaction.atomic
def save(
    member: Membership, kind: str, name: str, params: dict[str, Any], *, shared: bool = False
) -> SavedView:
    """Save the list's current parameters under `name` (replacing the member's own view of it)."""
    if kind not in KINDS:
        raise Http404
    access.require(member, kind, "view")
    name = _validate_name(name)
    cleaned = clean_params(kind, params)
    view = SavedView.objects.filter(
        workspace_id=member.workspace_id, owner_id=member.user_id, kind=kind, name=name
    ).first()
    if view is not None:
        SavedView.objects.filter(pk=view.pk, workspace_id=member.workspace_id).update(
            params=cleaned, shared=shared, updated_at=timezone.now(), version=F("version") + 1
        )
        view.params, view.shared, view.version = cleaned, shared, view.version + 1
        return view
    mine = SavedView.objects.filter(workspace_id=member.workspace_id, owner_id=member.user_id)
    if mine.count() >= MAX_VIEWS:
        raise ValidationError({"name": _("You have 100 views; delete one first.")})
    return SavedView.objects.create(
        workspace_id=member.workspace_id,
        owner_id=member.user_id,
        kind=kind,
        name=name,
        params=cleaned,
        shared=shared,
    )


@transaction.atomic
def update(
    member: Membership,
    view: SavedView,
    *,
    name: str | None = None,
    shared: bool | None = None,
    params: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> SavedView:
    """Rename, share or unshare, or replace the parameters of a view at the version read."""
    if not may_change(member, view):
        raise PermissionDenied(_("Only its owner or an admin may change this view."))
    version = view.version if expected_version is None else expected_version
    changes: dict[str, Any] = {"updated_at": timezone.now()}
    if name is not None:
        changes["name"] = _validate_name(name)
    if shared is not None:
        changes["shared"] = shared
    if params is not None:
        changes["params"] = clean_params(view.kind, params)
    try:
        with transaction.atomic():
            updated = SavedView.objects.filter(
                pk=view.pk, workspace_id=member.workspace_id, version=version
            ).update(**changes, version=F("version") + 1)
    except IntegrityError as exc:
        raise ValidationError({"name": _("You already have a view with this name.")}) from exc
    if updated == 0:
        raise VersionConflict(
            SavedView.objects.filter(pk=view.pk, workspace_id=member.workspace_id).first()
        )
    for key, value in changes.items():
        setattr(view, key, value)
    view.version = version + 1
    return view


@transaction.atomic
def delete(member: Membership, view: SavedView, *, expected_version: int | None = None) -> None:
    """Delete a view at the version read (its owner, or an admin)."""
    if not may_change(member, view):
        raise PermissionDenied(_("Only its owner or an admin may delete this view."))
    version = view.version if expected_version is None else expected_version
    deleted = SavedView.objects.filter(
        pk=view.pk, workspace_id=member.workspace_id, version=version
    ).delete()[0]
    if deleted == 0:
        raise VersionConflict(
            SavedView.objects.filter(pk=view.pk, workspace_id=member.workspace_id).first()
        )
