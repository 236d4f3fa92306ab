"""Verbs for workspaces, members, invitations, API tokens and login protection."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from amity.core import audit, crypto, outbox
from amity.core.models import (
    ApiToken,
    DataKey,
    Invitation,
    LoginFailure,
    Membership,
    Role,
    Team,
    User,
    Workspace,
)
from amity.core.roles import install_default_roles

TOKEN_PREFIX = "amity_"  # noqa: S105 - a public prefix, not a secret
INVITATION_DAYS = 7


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_workspace(name: str, slug: str = "") -> Workspace:
    """Create a workspace with the shipped roles and its own data keys."""
    workspace = Workspace.objects.create(name=name, slug=slug or slugify(name)[:60])
    install_default_roles(workspace)
    for purpose in (DataKey.Purpose.ENCRYPTION, DataKey.Purpose.BLIND_INDEX):
        crypto.create_data_key(workspace.pk, purpose, 1)
    return workspace


@transaction.atomic
def add_member(
    workspace: Workspace,
    user: User,
    role_key: str,
    *,
    team: Team | None = None,
    by: User | None = None,
) -> Membership:
    role = Role.objects.get(workspace=workspace, key=role_key)
    membership, created = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role, "team": team, "is_active": True}
    )
    audit.record(
        audit.Action.PERMISSION,
        workspace=workspace,
        actor=by,
        actor_label="" if by else "system",
        object_type="member",
        object_id=user.pk,
        object_repr=user.email,
        changes={"role": [None if created else "?", role.key]},
    )
    return membership


@transaction.atomic
def change_role(by: Membership, membership: Membership, role: Role, team: Team | None) -> None:
    if role.workspace_id != by.workspace_id or membership.workspace_id != by.workspace_id:
        raise ValidationError({"role": "Choose a role of this workspace."})
    if membership.user_id == by.user_id and not role.is_admin and by.role.is_admin:
        raise ValidationError({"role": "You cannot remove your own admin role."})
    before = {
        "role": membership.role.key,
        "team": membership.team.name if membership.team else None,
    }
    membership.role = role
    membership.team = team
    membership.save(update_fields=["role", "team"])
    after = {"role": role.key, "team": team.name if team else None}
    audit.record(
        audit.Action.PERMISSION,
        workspace=by.workspace_id,
        actor=by.user,
        object_type="member",
        object_id=membership.user_id,
        object_repr=membership.user.email,
        changes=audit.diff(before, after),
    )


@transaction.atomic
def deactivate_member(by: Membership, membership: Membership) -> None:
    if membership.user_id == by.user_id:
        raise ValidationError({"member": "You cannot deactivate yourself."})
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    end_sessions(membership.user)
    audit.record(
        audit.Action.PERMISSION,
        workspace=by.workspace_id,
        actor=by.user,
        object_type="member",
        object_id=membership.user_id,
        object_repr=membership.user.email,
        changes={"active": [True, False]},
    )


def end_sessions(user: User) -> None:
    """End every session of the user at their next request."""
    User.objects.filter(pk=user.pk).update(session_epoch=user.session_epoch + 1)
    user.session_epoch += 1


@transaction.atomic
def invite(by: Membership, email: str, role: Role, team: Team | None = None) -> Invitation:
    """Invite someone by email; the email leaves through the outbox when this commits."""
    email = email.strip().lower()
    if role.workspace_id != by.workspace_id:
        raise ValidationError({"role": "Choose a role of this workspace."})
    if Membership.objects.filter(
        workspace_id=by.workspace_id, user__email=email, is_active=True
    ).exists():
        raise ValidationError({"email": "This person is already a member."})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace_id=by.workspace_id,
        email=email,
        role=role,
        team=team,
        token_hash=hash_token(raw),
        invited_by=by.user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    link = f"{settings.SITE_URL}/invitations/{raw}/"
    outbox.queue_email(
        workspace_id=by.workspace_id,
        to=[email],
        subject=f"{by.user.display_name} invited you to {by.workspace.name} on Amity",
        body=(
            f"{by.user.display_name} invited you to work in {by.workspace.name} on Amity "
            f"as {role.name}.\n\nAccept within {INVITATION_DAYS} days:\n{link}\n"
        ),
    )
    audit.record(
        audit.Action.PERMISSION,
        workspace=by.workspace_id,
        actor=by.user,
        object_type="invitation",
        object_id=invitation.pk,
        object_repr=email,
        changes={"invited": [None, role.key]},
    )
    return invitation


def find_invitation(raw: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("workspace", "role", "team")
        .filter(token_hash=hash_token(raw), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def accept_invitation(invitation: Invitation, *, full_name: str, password: str | None) -> User:
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    Membership.objects.update_or_create(
        workspace=invitation.workspace,
        user=user,
        defaults={"role": invitation.role, "team": invitation.team, "is_active": True},
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    audit.record(
        audit.Action.PERMISSION,
        workspace=invitation.workspace,
        actor=user,
        object_type="member",
        object_id=user.pk,
        object_repr=user.email,
        changes={"joined": [None, invitation.role.key]},
    )
    return user


def create_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Create an API token; return it with its secret, which is shown only once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        workspace_id=membership.workspace_id,
        user_id=membership.user_id,
        name=name[:80] or "API token",
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_token(raw),
    )
    audit.record(
        audit.Action.SECURITY,
        workspace=membership.workspace_id,
        actor=membership.user,
        object_type="api_token",
        object_id=token.pk,
        object_repr=token.name,
        changes={"created": [None, token.prefix]},
    )
    return token, raw


def revoke_token(membership: Membership, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, workspace_id=membership.workspace_id).update(
        revoked_at=timezone.now()
    )
    audit.record(
        audit.Action.SECURITY,
        workspace=membership.workspace_id,
        actor=membership.user,
        object_type="api_token",
        object_id=token.pk,
        object_repr=token.name,
        changes={"revoked": [None, token.prefix]},
    )


def membership_for_token(raw: str) -> Membership | None:
    """Return the active membership a bearer token acts as, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True).first()
    if token is None:
        return None
    membership = (
        Membership.objects.select_related("workspace", "role", "team", "user")
        .filter(
            workspace_id=token.workspace_id,
            user_id=token.user_id,
            is_active=True,
            user__is_active=True,
        )
        .first()
    )
    if membership is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return membership


# Login protection -----------------------------------------------------------


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.AMITY_LOCKOUT_SECONDS)


def is_locked(email: str) -> bool:
    """Return whether this address has failed too often in the lockout window."""
    recent = LoginFailure.objects.filter(email=email.strip().lower(), at__gte=_window_start())
    return recent.count() >= settings.AMITY_LOCKOUT_FAILURES


def ip_is_throttled(ip: str | None) -> bool:
    """Slow credential stuffing: many failures from one address across accounts."""
    if not ip:
        return False
    recent = LoginFailure.objects.filter(ip=ip, at__gte=_window_start())
    return recent.count() >= settings.AMITY_LOCKOUT_FAILURES * 10


def record_login_failure(email: str, ip: str | None, *, reason: str) -> None:
    email = email.strip().lower()[:254]
    LoginFailure.objects.create(email=email, ip=ip)
    user = User.objects.filter(email=email).first()
    workspace_id = (
        Membership.objects.filter(user=user).values_list("workspace_id", flat=True).first()
        if user
        else None
    )
    audit.record(
        audit.Action.LOGIN_FAILED,
        workspace=workspace_id,
        actor=user,
        actor_label=email,
        object_type="user",
        object_id=user.pk if user else "",
        reason=reason,
    )


def clear_login_failures(email: str) -> None:
    LoginFailure.objects.filter(email=email.strip().lower()).delete()
