"""Verbs for workspaces, members, invitations, API tokens and login protection."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from amity.core import audit, crypto, outbox
from amity.core.models import (
    ApiToken,
    DataKey,
    Invitation,
    LoginFailure,
    Membership,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    Team,
    User,
    Workspace,
    hash_recovery_code,
    validate_time_zone,
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
        raise ValidationError({"role": _("Choose a role of this workspace.")})
    if team is not None and team.workspace_id != by.workspace_id:
        raise ValidationError({"team": _("Choose a team of this workspace.")})
    if membership.user_id == by.user_id and not role.is_admin and by.role.is_admin:
        raise ValidationError({"role": _("You cannot remove your own admin role.")})
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
        raise ValidationError({"member": _("You cannot deactivate yourself.")})
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
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def invite(by: Membership, email: str, role: Role, team: Team | None = None) -> Invitation:
    """Invite someone by email; the email leaves through the outbox when this commits."""
    email = email.strip().lower()
    if role.workspace_id != by.workspace_id:
        raise ValidationError({"role": _("Choose a role of this workspace.")})
    if team is not None and team.workspace_id != by.workspace_id:
        raise ValidationError({"team": _("Choose a team of this workspace.")})
    if Membership.objects.filter(
        workspace_id=by.workspace_id, user__email=email, is_active=True
    ).exists():
        raise ValidationError({"email": _("This person is already a member.")})
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
        subject=_("%(who)s invited you to %(workspace)s on Amity")
        % {"who": by.user.display_name, "workspace": by.workspace.name},
        body=_(
            "%(who)s invited you to work in %(workspace)s on Amity as %(role)s.\n\n"
            "Accept within %(days)d days:\n%(link)s\n"
        )
        % {
            "who": by.user.display_name,
            "workspace": by.workspace.name,
            "role": role.name,
            "days": INVITATION_DAYS,
            "link": link,
        },
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
    """Join the invited workspace, creating the account when the address has none."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if not claimed:
        raise ValidationError({"invitation": _("This invitation is no longer valid.")})
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    Membership.objects.update_or_create(
        workspace=invitation.workspace,
        user=user,
        defaults={"role": invitation.role, "team": invitation.team, "is_active": True},
    )
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


@transaction.atomic
def revoke_invitation(by: Membership, invitation: Invitation) -> None:
    """Make a pending invitation's link stop working."""
    if invitation.workspace_id != by.workspace_id:
        raise ValidationError({"invitation": _("Choose an invitation of this workspace.")})
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        expires_at=timezone.now()
    )
    audit.record(
        audit.Action.PERMISSION,
        workspace=by.workspace_id,
        actor=by.user,
        object_type="invitation",
        object_id=invitation.pk,
        object_repr=invitation.email,
        changes={"revoked": [None, invitation.email]},
    )


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


def reserve_login_attempt(email: str, ip: str | None) -> int | None:
    """Count one attempt as failed before checking it; return None when locked or throttled.

    Counting first, with the account's row locked, means concurrent guesses can
    never pass the limit; a correct answer later releases or clears the count.
    """
    email = email.strip().lower()[:254]
    with transaction.atomic():
        # Serialises attempts on one account (PostgreSQL; SQLite writes are serial anyway).
        list(User.objects.select_for_update().filter(email=email).values_list("pk", flat=True))
        if is_locked(email) or ip_is_throttled(ip):
            return None
        return LoginFailure.objects.create(email=email, ip=ip).pk


def release_login_attempt(failure_id: int) -> None:
    """Un-count a reserved attempt whose password was right (a code is still to come)."""
    LoginFailure.objects.filter(pk=failure_id).delete()


def record_login_failure(email: str, ip: str | None, *, reason: str, counted: bool = True) -> None:
    """Audit a failed login; `counted` also adds it to the lockout count."""
    email = email.strip().lower()[:254]
    if counted:
        LoginFailure.objects.create(email=email, ip=ip)
    user = User.objects.filter(email=email).first()
    workspace_id = (
        Membership.objects.filter(user=user, is_active=True)
        .values_list("workspace_id", flat=True)
        .first()
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


def purge_old_login_failures() -> int:
    """Forget failed logins older than a day; lockouts only look at the last 15 minutes."""
    count, _ = LoginFailure.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    return count


def clear_login_failures(email: str) -> None:
    LoginFailure.objects.filter(email=email.strip().lower()).delete()


# Two-factor authentication ---------------------------------------------------

RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Amity"


def has_two_factor(user: User) -> bool:
    """Return whether the user has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def pending_totp_device(user: User) -> TOTPDevice:
    """Return the user's unconfirmed authenticator, creating one with a fresh secret."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_setup_uri(device: TOTPDevice) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{TOTP_ISSUER}:{device.user.email}")
    query = urlencode(
        {"secret": secret, "issuer": TOTP_ISSUER, "algorithm": "SHA1", "digits": 6, "period": 30}
    )
    return f"otpauth://totp/{label}?{query}"


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user_id=user.pk).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes")
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(10)  # 80 bits, shown as 4 groups of 5
        codes.append("-".join(raw[i : i + 5] for i in range(0, 20, 5)))
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=hash_recovery_code(code)) for code in codes]
    )
    return codes


@transaction.atomic
def confirm_two_factor(
    user: User, device: TOTPDevice, token: str, *, workspace_id: int | None
) -> list[str] | None:
    """Confirm an authenticator with a code from it; return new recovery codes, or None.

    Every other session of the user ends: they were not opened with a second factor.
    """
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    end_sessions(user)
    audit.record(
        audit.Action.SECURITY,
        workspace=workspace_id,
        actor=user,
        object_type="user",
        object_id=user.pk,
        object_repr=user.email,
        changes={"two_factor": [False, True]},
    )
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User, *, workspace_id: int | None) -> list[str]:
    """Replace the user's recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    audit.record(
        audit.Action.SECURITY,
        workspace=workspace_id,
        actor=user,
        object_type="user",
        object_id=user.pk,
        object_repr=user.email,
        changes={"recovery_codes": ["replaced", RECOVERY_CODE_COUNT]},
    )
    return codes


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(device__user_id=user.pk, used_at__isnull=True).count()


@transaction.atomic
def disable_two_factor(user: User, *, workspace_id: int | None) -> None:
    """Remove the user's authenticator and recovery codes."""
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    RecoveryCodeDevice.objects.filter(user_id=user.pk).delete()
    audit.record(
        audit.Action.SECURITY,
        workspace=workspace_id,
        actor=user,
        object_type="user",
        object_id=user.pk,
        object_repr=user.email,
        changes={"two_factor": [True, False]},
    )


def verify_second_factor(user: User, code: str) -> TOTPDevice | RecoveryCodeDevice | None:
    """Return the device accepting the code: the authenticator app (once) or a recovery code."""
    code = code.strip().replace(" ", "")
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            devices = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True)
            for totp in devices:
                if totp.verify_token(code):
                    return totp
            return None
        recovery = RecoveryCodeDevice.objects.filter(user_id=user.pk, confirmed=True).first()
        if recovery is not None and recovery.verify_token(code):
            return recovery
    return None


# Account and workspace settings ---------------------------------------------


def audit_security(
    user: User,
    workspace_id: int | None,
    changes: dict[str, Any],
    *,
    object_type: str = "user",
    object_id: int | str = "",
    object_repr: str = "",
) -> None:
    audit.record(
        audit.Action.SECURITY,
        workspace=workspace_id,
        actor=user,
        object_type=object_type,
        object_id=object_id or user.pk,
        object_repr=object_repr or user.email,
        changes=changes,
    )


@transaction.atomic
def change_email(user: User, new_email: str, *, workspace_id: int | None) -> None:
    """Change the login address and end the user's other sessions."""
    new_email = new_email.strip().lower()
    if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("Another account uses this address.")})
    old = user.email
    user.email = new_email
    user.save(update_fields=["email"])
    end_sessions(user)
    audit_security(user, workspace_id, {"email": [old, new_email]})


@transaction.atomic
def password_changed(user: User, *, workspace_id: int | None, reset: bool = False) -> None:
    """Record a new password; end every other session and lift a lockout."""
    end_sessions(user)
    clear_login_failures(user.email)
    audit_security(user, workspace_id, {"password": ["reset" if reset else "changed", "***"]})


@transaction.atomic
def update_workspace(
    by: Membership,
    *,
    name: str,
    require_2fa: bool,
    time_zone: str | None = None,
    email_tracking: bool | None = None,
) -> None:
    """Rename the workspace, require 2FA of every member, set its zone and email tracking.

    `time_zone` / `email_tracking` left out (None) keep what the workspace has.
    """
    workspace = Workspace.objects.select_for_update().get(pk=by.workspace_id)
    new_name = name.strip()[:120]
    new_zone = time_zone or workspace.time_zone
    validate_time_zone(new_zone)
    tracking = workspace.email_tracking if email_tracking is None else email_tracking
    before = {
        "name": workspace.name,
        "require_2fa": workspace.require_2fa,
        "time_zone": workspace.time_zone,
        "email_tracking": workspace.email_tracking,
    }
    changes = audit.diff(
        before,
        {
            "name": new_name,
            "require_2fa": require_2fa,
            "time_zone": new_zone,
            "email_tracking": tracking,
        },
    )
    if not changes:
        return
    workspace.name = new_name
    workspace.require_2fa = require_2fa
    workspace.time_zone = new_zone
    workspace.email_tracking = tracking
    workspace.save(update_fields=["name", "require_2fa", "time_zone", "email_tracking"])
    by.workspace.name, by.workspace.require_2fa = workspace.name, workspace.require_2fa
    by.workspace.time_zone = workspace.time_zone
    by.workspace.email_tracking = workspace.email_tracking
    audit_security(
        by.user,
        workspace.pk,
        changes,
        object_type="workspace",
        object_id=workspace.pk,
        object_repr=workspace.name,
    )


@transaction.atomic
def update_role_grants(by: Membership, role: Role, grants: dict[str, dict[str, str]]) -> None:
    """Replace a non-admin role's grants; audited as a permission change with the diff."""
    from amity.core.access import ACTIONS, SCOPES

    if role.workspace_id != by.workspace_id:
        raise ValidationError({"role": _("Choose a role of this workspace.")})
    if role.is_admin:
        raise ValidationError({"role": _("The admin role always has every permission.")})
    clean: dict[str, dict[str, str]] = {}
    for object_type, actions in grants.items():
        for action, scope in actions.items():
            if action not in ACTIONS or scope not in SCOPES:
                raise ValidationError({"grants": _("Unknown action or scope.")})
            clean.setdefault(object_type, {})[action] = scope
    flat_before = _flatten(role.grants)
    flat_after = _flatten(clean)
    keys = sorted(set(flat_before) | set(flat_after))
    changes = {
        k: [flat_before.get(k), flat_after.get(k)]
        for k in keys
        if flat_before.get(k) != flat_after.get(k)
    }
    if not changes:
        return
    Role.objects.filter(pk=role.pk, workspace_id=by.workspace_id).update(grants=clean)
    role.grants = clean
    audit.record(
        audit.Action.PERMISSION,
        workspace=by.workspace_id,
        actor=by.user,
        object_type="role",
        object_id=role.pk,
        object_repr=role.name,
        changes=changes,
    )


def _flatten(grants: dict[str, dict[str, str]]) -> dict[str, str]:
    return {
        f"{object_type}.{action}": scope
        for object_type, actions in grants.items()
        for action, scope in actions.items()
    }


@transaction.atomic
def save_team(by: Membership, name: str, team: Team | None = None) -> Team:
    """Create a team, or rename one, in the admin's workspace."""
    name = name.strip()[:80]
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    taken = Team.objects.filter(workspace_id=by.workspace_id, name=name)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise ValidationError({"name": _("A team with this name exists.")})
    before = team.name if team else None
    if team is None:
        team = Team.objects.create(workspace_id=by.workspace_id, name=name)
    elif team.workspace_id != by.workspace_id:
        raise ValidationError({"team": _("Choose a team of this workspace.")})
    else:
        Team.objects.filter(pk=team.pk, workspace_id=by.workspace_id).update(name=name)
        team.name = name
    audit.record(
        audit.Action.PERMISSION,
        workspace=by.workspace_id,
        actor=by.user,
        object_type="team",
        object_id=team.pk,
        object_repr=team.name,
        changes={"name": [before, name]},
    )
    return team


@transaction.atomic
def reactivate_member(by: Membership, membership: Membership) -> None:
    if membership.workspace_id != by.workspace_id:
        raise ValidationError({"member": _("Choose a member of this workspace.")})
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    audit.record(
        audit.Action.PERMISSION,
        workspace=by.workspace_id,
        actor=by.user,
        object_type="member",
        object_id=membership.user_id,
        object_repr=membership.user.email,
        changes={"active": [False, True]},
    )
