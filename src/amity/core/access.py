"""The one place that decides who may see and do what.

Every view, API operation and service reaches records through `visible` (lists)
and `get_for_user` (single records). A record outside the user's reach is a
404, the same as a missing one; a permitted read with a forbidden action is a 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from amity.core.models import Membership

ACTIONS = ("view", "create", "edit", "delete", "export", "reveal", "privacy")
SCOPES = ("own", "team", "all")
OBJECT_TYPES = (
    "company",
    "person",
    "note",
    "audit",
    "member",
    "custom_field",
    "deal",
    "pipeline",
    "lead",
    "task",
    "product",
    "price_list",
    "quote",
)
_SCOPE_RANK = {"own": 1, "team": 2, "all": 3}


M = TypeVar("M", bound=models.Model)


def scope_for(member: Membership, object_type: str, action: str) -> str | None:
    """Return the widest scope the member's role grants for an action, or None."""
    if not member.is_active:
        return None
    role = member.role
    if role.is_admin:
        return "all"
    scope = role.grants.get(object_type, {}).get(action)
    return scope if scope in _SCOPE_RANK else None


def can(member: Membership, object_type: str, action: str, obj: Any = None) -> bool:
    """Return whether the member may do `action` on `obj` (or on some record of the type)."""
    scope = scope_for(member, object_type, action)
    if scope is None:
        return False
    if obj is None or scope == "all":
        return True
    owner_id = getattr(obj, "owner_id", None)
    if owner_id == member.user_id:
        return True
    if scope == "team" and member.team_id is not None and owner_id is not None:
        return _team_user_ids(member).filter(user_id=owner_id).exists()
    return False


def require(member: Membership, object_type: str, action: str, obj: Any = None) -> None:
    if not can(member, object_type, action, obj):
        raise PermissionDenied(f"Your role may not {action} this {object_type}.")


def _team_user_ids(member: Membership) -> models.QuerySet[Membership]:
    return Membership.objects.filter(
        workspace_id=member.workspace_id, team_id=member.team_id or 0, is_active=True
    )


def _scope_filter(member: Membership, scope: str, field: str = "owner_id") -> models.Q:
    if scope == "all":
        return models.Q()
    if scope == "team" and member.team_id is not None:
        return models.Q(**{f"{field}__in": _team_user_ids(member).values("user_id")})
    return models.Q(**{field: member.user_id})


def owner_filter(
    member: Membership, object_type: str, action: str = "view", *, field: str = "owner_id"
) -> models.Q | None:
    """Return the condition on an owner column (`field`) that `visible` applies to records
    of `object_type`, for tables that are keyed by owner (kept totals); None when the
    member's role grants no scope at all."""
    scope = scope_for(member, object_type, action)
    return None if scope is None else _scope_filter(member, scope, field)


def visible(
    member: Membership, model: type[M], *, action: str = "view", deleted: bool = False
) -> models.QuerySet[M]:
    """Return the records of `model` the member may see (or act on), in their workspace."""
    access_type: str = getattr(model, "ACCESS_TYPE")  # noqa: B009 - a protocol attribute
    qs = model._default_manager.filter(workspace_id=member.workspace_id)
    if any(f.name == "deleted_at" for f in model._meta.fields):
        qs = qs.filter(deleted_at__isnull=not deleted)
    scope = scope_for(member, access_type, action)
    if scope is None:
        return qs.none()
    return qs.filter(_scope_filter(member, scope))


def get_for_user(
    member: Membership,
    model: type[M],
    pk: Any,
    action: str = "view",
    *,
    deleted: bool = False,
    queryset: models.QuerySet[M] | None = None,
) -> M:
    """Return one record the member may see, checking `action` on it.

    Raise Http404 when it is missing, in another workspace or outside the
    member's view scope; PermissionDenied when visible but `action` is not allowed.
    """
    qs = queryset if queryset is not None else visible(member, model, deleted=deleted)
    try:
        obj = qs.get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:  # type: ignore[attr-defined]
        raise Http404 from exc
    if action != "view":
        require(member, getattr(model, "ACCESS_TYPE"), action, obj)  # noqa: B009
    return obj
