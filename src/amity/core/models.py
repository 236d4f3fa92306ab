"""Workspaces, people who log in, their roles, and the records that guard the data."""

from __future__ import annotations

import hashlib
import uuid
import zoneinfo
from datetime import date, datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


def validate_time_zone(name: str) -> None:
    """Accept only an IANA zone name this machine knows ("Europe/Oslo", "UTC")."""
    if name not in zoneinfo.available_timezones() and name != "UTC":
        raise ValidationError(_("Choose a time zone."), code="time_zone")


class Workspace(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    require_2fa = models.BooleanField(_("require two-factor authentication"), default=False)
    # The zone the workspace's dates end in (a quote valid until a day expires at its end here).
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    # Opt-in: emails to consenting people carry an open pixel and tracked links.
    email_tracking = models.BooleanField(_("track email opens and clicks"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self, now: datetime | None = None) -> date:
        """Return the date it is now in the workspace's zone (UTC for an unknown name)."""
        try:
            tz = zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo("UTC")
        return (now or timezone.now()).astimezone(tz).date()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """Someone who logs in. Belongs to workspaces through Membership."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # Bumped to end every session of this user at their next request.
    session_epoch = models.PositiveIntegerField(default=0)
    email_on_mention = models.BooleanField(_("email me when someone mentions me"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


class Role(models.Model):
    """A named set of grants: {object type: {action: scope}}.

    Scopes are "own" (records the user owns), "team" (owned by someone in the
    user's team) and "all" (the whole workspace).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="roles")
    key = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=80)
    grants = models.JSONField(default=dict)
    is_admin = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="role_key_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="team_name_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in one workspace: their role and team there."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Kept by core.notifications so the bell costs no query (the membership is loaded anyway).
    unread_notifications = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace}"


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.ForeignKey(Role, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"])]

    def __str__(self) -> str:
        return self.email


class ApiToken(models.Model):
    """A bearer token acting as its user in one workspace. Only a hash is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "user"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """One failed login; recent rows lock the account and throttle the address."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} at {self.at:%Y-%m-%d %H:%M}"


class DataKey(models.Model):
    """A workspace's data key, wrapped by the master key. Versions grow on rotation."""

    class Purpose(models.TextChoices):
        ENCRYPTION = "enc", "encryption"
        BLIND_INDEX = "idx", "blind index"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="data_keys")
    purpose = models.CharField(max_length=3, choices=Purpose.choices)
    version = models.PositiveIntegerField()
    wrapped_key = models.TextField()
    master_key_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "purpose", "version"], name="data_key_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id}/{self.purpose}/v{self.version}"


class AuditEvent(models.Model):
    """An append-only, hash-chained record of who did what to which object."""

    class Action(models.TextChoices):
        VIEW = "view", _("view")
        REVEAL = "reveal", _("reveal")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        RESTORE = "restore", _("restore")
        EXPORT = "export", _("export")
        DOWNLOAD = "download", _("download")
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        PERMISSION = "permission", _("permission change")
        SECURITY = "security", _("security setting")

    # The chain is per workspace; events without one (a failed login for an
    # unknown address) live on the "global" chain.
    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, null=True, related_name="audit_events"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")
        ]
        indexes = [
            models.Index(fields=["workspace", "-at"], name="audit_ws_at"),
            models.Index(
                fields=["workspace", "object_type", "object_id", "-at"], name="audit_ws_obj"
            ),
            models.Index(fields=["workspace", "actor", "-at"], name="audit_ws_actor"),
        ]
        ordering = ["-at", "-seq"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only")


class AuditChainHead(models.Model):
    """The last event of each chain; locked while appending so sequence numbers never fork."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


class IdempotencyRecord(models.Model):
    """The first answer to an API create with an Idempotency-Key, replayed on repeats."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.key


class OutboxMessage(models.Model):
    """An email (later: message, webhook) written with the change that caused it."""

    class Kind(models.TextChoices):
        EMAIL = "email", "email"

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, null=True, related_name="outbox_messages"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EMAIL)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.uid} ({self.status})"


class Notification(models.Model):
    """Something a member should look at: a mention, an assignment, a reply."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "recipient", "read_at", "-created_at"],
                name="notification_inbox",
            )
        ]

    def __str__(self) -> str:
        return self.text


class RecoveryCodeDevice(Device):  # type: ignore[misc]  # django-otp ships no types
    """A user's one-time recovery codes, a second factor when the authenticator is lost."""

    class Meta:
        verbose_name = "recovery code device"

    def __str__(self) -> str:
        return f"recovery codes of user {self.user_id}"

    def verify_token(self, token: str) -> bool:
        """Accept an unused code once: only its SHA-256 is stored, and using it spends it."""
        digest = hash_recovery_code(token)
        if not digest:
            return False
        spent = RecoveryCode.objects.filter(
            device_id=self.pk, code_hash=digest, used_at__isnull=True
        ).update(used_at=timezone.now())
        return spent == 1


def hash_recovery_code(raw: str) -> str:
    """Return the stored form of a recovery code typed in any case, with or without dashes."""
    normal = "".join(ch for ch in str(raw).lower() if ch.isalnum())
    if not normal or len(normal) > 64:
        return ""
    return hashlib.sha256(normal.encode()).hexdigest()


class RecoveryCode(models.Model):
    """One recovery code, stored hashed; `used_at` is set when it is spent."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["device", "code_hash"], name="recovery_code_lookup")]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class SearchEntry(models.Model):
    """One record's searchable text, kept by core.search (never sensitive values)."""

    # search_entry_unique (workspace, …) serves every workspace lookup. No database
    # constraint: an entry is derived, written with its record by core.search and
    # confirmed through access.visible before it shows (SQLite's full-text table has
    # none either), and checking it cost a lookup for every record an import writes.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    object_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    # Copied from the record so the index can apply own/team view scopes itself.
    owner_id = models.BigIntegerField(null=True, blank=True)
    # Normalised words and phone digits, space separated.
    document = models.TextField()
    # One-letter deletions of name words, for typos (PostgreSQL; SQLite keeps them in FTS5).
    fuzz = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object_type", "object_id"], name="search_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"


class MinuteHits(models.Model):
    """Requests per client address and minute in a workspace (core.rate_limit counts them).

    Each rate-limited route keeps a table of its own, unique on (workspace, ip, minute).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ip = models.CharField(max_length=45)
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.ip} at {self.minute}: {self.count}"
