"""Targets for routes that act on workspace objects rather than customer records."""

from __future__ import annotations

import itertools

from amity.core import services
from amity.core.models import ApiToken, Membership, Role, Team, User
from tests.authz.matrix import Target
from tests.conftest import World

_n = itertools.count(1)


def _workspace(world: World, target: Target):  # type: ignore[no-untyped-def]
    return world.globex if target == "other_workspace" else world.acme


def member(world: World, user: User, target: Target) -> int | None:
    """A fresh read-only member, so deactivating it never affects the cast."""
    if target == "missing":
        return None
    workspace = _workspace(world, target)
    subject = User.objects.create(email=f"subject{next(_n)}@{workspace.slug}.test")
    return services.add_member(workspace, subject, "readonly").pk


def team(world: World, user: User, target: Target) -> int | None:
    if target == "missing":
        return None
    return Team.objects.create(workspace=_workspace(world, target), name=f"Team {next(_n)}").pk


def role(world: World, user: User, target: Target) -> int | None:
    if target == "missing":
        return None
    return Role.objects.get(workspace=_workspace(world, target), key="readonly").pk


def invitation(world: World, user: User, target: Target) -> int | None:
    if target == "missing":
        return None
    workspace = _workspace(world, target)
    admin = world.mallory if target == "other_workspace" else world.alice
    by = world.member(admin, workspace)
    readonly = Role.objects.get(workspace=workspace, key="readonly")
    return services.invite(by, f"invitee{next(_n)}@example.test", readonly).pk


def token(world: World, user: User, target: Target) -> int | None:
    """The acting user's own token, a colleague's, or one in another workspace."""
    if target == "missing":
        return None
    if target == "other_workspace":
        holder, workspace = world.mallory, world.globex
    else:
        holder = user if target == "own" else (world.bob if user == world.alice else world.alice)
        workspace = world.acme
    membership = Membership.objects.get(user=holder, workspace=workspace)
    created: ApiToken = services.create_token(membership, "matrix")[0]
    return created.pk
