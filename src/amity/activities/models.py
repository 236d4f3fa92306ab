"""Activities around a customer: notes and tasks; calls and meetings later (DESIGN §3)."""

from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.links import record_url
from amity.core.models import Team, Workspace
from amity.customers.models import Company, Person


class Note(models.Model):
    """A Markdown note on a person or a company; shown on their timeline."""

    # Names the ETag ("note-12-v3"); who may see a note is decided by its subject.
    ACCESS_TYPE: ClassVar[str] = "note"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Purging a record deletes its notes first (timeline.forget), within the workspace.
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"), max_length=20_000)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, company__isnull=True)
                | models.Q(person__isnull=True, company__isnull=False),
                name="note_one_subject",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "person"], name="note_ws_person"),
            models.Index(fields=["workspace", "company"], name="note_ws_company"),
            models.Index(fields=["workspace", "author"], name="note_ws_author"),
        ]

    def __str__(self) -> str:
        return f"note {self.pk}"

    @property
    def subject_type(self) -> str:
        return "person" if self.person_id is not None else "company"

    @property
    def subject_id(self) -> int:
        subject_id = self.person_id if self.person_id is not None else self.company_id
        assert subject_id is not None
        return subject_id


class Task(models.Model):
    """Something to do by a due date, for a user or a team, maybe about a customer."""

    # `owner` is the assignee: core.access scopes ("own", "team") apply to it.
    ACCESS_TYPE: ClassVar[str] = "task"

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Priority(models.IntegerChoices):
        LOW = 1, _("low")
        NORMAL = 2, _("normal")
        HIGH = 3, _("high")

    class Repeat(models.TextChoices):
        NEVER = "", _("does not repeat")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")
        YEARLY = "yearly", _("yearly")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    # The due day in `time_zone`, and the wall-clock time (none: any time that day).
    due_date = models.DateField(_("due date"))
    due_time = models.TimeField(_("due time"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # The moment the task becomes overdue (the due time, or the end of the due day).
    due_at = models.DateTimeField()
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    # The related record; deals, tickets and orders register their own columns later
    # (see activities.related). Purging a record removes its tasks' link first.
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    repeat = models.CharField(
        _("repeats"), max_length=10, choices=Repeat.choices, default=Repeat.NEVER, blank=True
    )
    repeat_every = models.PositiveSmallIntegerField(_("every"), default=1)
    # Weekly: the chosen weekdays as digits, Monday 0 ("024" = Mon, Wed, Fri).
    repeat_weekdays = models.CharField(_("on"), max_length=7, blank=True)
    # Monthly and yearly: the day of month the series started on, so 31 Jan ->
    # 28 Feb -> 31 Mar rather than drifting to the 28th.
    repeat_day = models.PositiveSmallIntegerField(null=True, blank=True)
    series = models.UUIDField(null=True, blank=True)
    # When the assignee was told it fell due (the bell's "due items"); cleared when it moves.
    due_alerted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person__isnull=False, company__isnull=False),
                name="task_one_related_record",
            ),
            models.CheckConstraint(
                condition=models.Q(repeat_every__gte=1, repeat_every__lte=999),
                name="task_repeat_every_range",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "owner", "status", "due_at"], name="task_ws_owner"),
            models.Index(fields=["workspace", "team", "status", "due_at"], name="task_ws_team"),
            models.Index(fields=["workspace", "status", "due_at", "id"], name="task_ws_due"),
            models.Index(fields=["workspace", "person"], name="task_ws_person"),
            models.Index(fields=["workspace", "company"], name="task_ws_company"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("activities:task_edit", self.pk)

    @property
    def related(self) -> Company | Person | None:
        return self.person if self.person_id is not None else self.company

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Interaction(models.Model):
    """A call or a meeting with a customer, logged after it happened; shown on their timeline."""

    # Who may log one: whoever may add notes (the "note.create" grant).
    ACCESS_TYPE: ClassVar[str] = "note"

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        MEETING = "meeting", _("meeting")

    class Direction(models.TextChoices):
        NONE = "", _("—")
        INBOUND = "inbound", _("inbound")
        OUTBOUND = "outbound", _("outbound")

    class Outcome(models.TextChoices):
        CONNECTED = "connected", _("connected")
        NO_ANSWER = "no_answer", _("no answer")
        VOICEMAIL = "voicemail", _("left a voicemail")
        BUSY = "busy", _("busy")
        HELD = "held", _("held")
        NO_SHOW = "no_show", _("no-show")
        RESCHEDULED = "rescheduled", _("rescheduled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Purging a record deletes its calls and meetings first (timeline.forget).
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, company__isnull=True)
                | models.Q(person__isnull=True, company__isnull=False),
                name="interaction_one_subject",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "person"], name="interaction_ws_person"),
            models.Index(fields=["workspace", "company"], name="interaction_ws_company"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Reminder(models.Model):
    """A nudge for one user at `due_at`: about a task, an event or a customer record.

    Exactly one target is set. A task or event reminder keeps `minutes_before` so
    it moves with its target; a "remind me" on a person or company carries a `note`.
    Delivered once by `amity worker` (see activities.reminders).
    """

    # Names the ETag ("reminder-12-v1"); a reminder is only ever its recipient's.
    ACCESS_TYPE: ClassVar[str] = "reminder"

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, related_name="reminders")
    event = models.ForeignKey(
        "Event", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # Purging a record deletes its reminders first (timeline.forget), within the workspace.
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Minutes before the task is due or the event starts (0: at that moment).
    minutes_before = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    in_app = models.BooleanField(_("in the bell"), default=True)
    email = models.BooleanField(_("also by email"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    task__isnull=False,
                    event__isnull=True,
                    person__isnull=True,
                    company__isnull=True,
                )
                | models.Q(
                    task__isnull=True,
                    event__isnull=False,
                    person__isnull=True,
                    company__isnull=True,
                )
                | models.Q(
                    task__isnull=True,
                    event__isnull=True,
                    person__isnull=False,
                    company__isnull=True,
                )
                | models.Q(
                    task__isnull=True,
                    event__isnull=True,
                    person__isnull=True,
                    company__isnull=False,
                ),
                name="reminder_one_target",
            )
        ]
        indexes = [
            # The worker's sweep: pending reminders by due moment, across workspaces.
            models.Index(fields=["status", "due_at"], name="reminder_due"),
            models.Index(fields=["workspace", "task"], name="reminder_ws_task"),
            models.Index(fields=["workspace", "event"], name="reminder_ws_event"),
            models.Index(fields=["workspace", "recipient", "status"], name="reminder_ws_recipient"),
            models.Index(fields=["workspace", "person"], name="reminder_ws_person"),
            models.Index(fields=["workspace", "company"], name="reminder_ws_company"),
        ]

    def __str__(self) -> str:
        return f"reminder {self.pk}"

    @property
    def target_type(self) -> str:
        for name in ("task", "event", "person", "company"):
            if getattr(self, f"{name}_id") is not None:
                return name
        return ""

    @property
    def target_id(self) -> int | None:
        kind = self.target_type
        return getattr(self, f"{kind}_id") if kind else None


class AlertPreference(models.Model):
    """How one member wants to hear about tasks: per kind, in the bell and by email; a digest."""

    # Names the ETag of the notification preferences in the API.
    ACCESS_TYPE: ClassVar[str] = "preferences"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task_assigned_app = models.BooleanField(_("in the bell"), default=True)
    task_assigned_email = models.BooleanField(_("by email"), default=False)
    reminder_app = models.BooleanField(_("in the bell"), default=True)
    reminder_email = models.BooleanField(_("by email"), default=False)
    digest = models.BooleanField(_("a daily digest email of my tasks"), default=False)
    # The local day the last digest went out, so each day gets one.
    digest_sent_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="alertpreference_unique")
        ]

    def __str__(self) -> str:
        return f"alert preferences of {self.user_id}"


class Event(models.Model):
    """A meeting or a call on someone's calendar, maybe with a customer."""

    # Events use the task grants: the organizer is the owner.
    ACCESS_TYPE: ClassVar[str] = "task"

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting")
        CALL = "call", _("call")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # An all-day event spans whole local days: starts_at is the first day's midnight and
    # ends_at the midnight after the last day, in the organizer's time zone.
    all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location or video link"), max_length=300, blank=True)
    # iCalendar SEQUENCE: grows with every change attendees must hear about (time,
    # place, title, cancellation), so their calendars replace the older copy.
    sequence = models.PositiveIntegerField(default=0)
    # The UID of an event imported from an .ics file, to recognise it on a re-import.
    external_uid = models.CharField(max_length=255, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organizer"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "owner", "starts_at"], name="event_ws_owner_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("activities:event_edit", self.pk)


class CalendarSettings(models.Model):
    """One member's working hours: shaded outside them, and where the day and week open."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day_starts = models.TimeField(_("working day starts"), default=datetime.time(8, 0))
    day_ends = models.TimeField(_("working day ends"), default=datetime.time(17, 0))
    # The working weekdays as digits, Monday 0 ("01234" = Monday to Friday).
    weekdays = models.CharField(_("working days"), max_length=7, default="01234", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="calendarsettings_unique")
        ]

    def __str__(self) -> str:
        return f"calendar settings of {self.user_id}"


class EventAttendee(models.Model):
    """Someone invited to an event: a member of the workspace, a customer person or an email."""

    class Response(models.TextChoices):
        NEEDS_ACTION = "needs-action", _("not answered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        TENTATIVE = "tentative", _("maybe")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Purging a person removes them from events first (timeline.forget).
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    response = models.CharField(
        _("response"), max_length=12, choices=Response.choices, default=Response.NEEDS_ACTION
    )
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="eventattendee_unique_email")
        ]
        indexes = [
            models.Index(fields=["workspace", "user"], name="eventattendee_ws_user"),
            models.Index(fields=["workspace", "person"], name="eventattendee_ws_person"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_external(self) -> bool:
        """Whether they hear by email with an .ics (not a member of the workspace)."""
        return self.user_id is None


class CalendarFeed(models.Model):
    """A member's private iCalendar subscription URL; only a hash of its secret is kept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=12)
    # The feed URL carries no session: its secret is looked up across workspaces by hash.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="calendarfeed_unique")
        ]

    def __str__(self) -> str:
        return f"calendar feed {self.prefix}…"


class ScheduledEmail(models.Model):
    """An email to a person, written now and handed to the outbox at `send_at` by the worker."""

    # Who may write one: whoever may add notes (the "note.create" grant), on a visible person.
    ACCESS_TYPE: ClassVar[str] = "scheduled_email"

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Purging or erasing a person deletes their scheduled emails first.
    person = models.ForeignKey(Person, on_delete=models.DO_NOTHING, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=20_000)
    send_at = models.DateTimeField(_("send at"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Where it went and the outbox row that carries it, once handed over.
    to = models.EmailField(blank=True)
    outbox_message = models.ForeignKey(
        "core.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why the worker cancelled it instead of sending ("consent", "no_email", "deleted").
    cancel_reason = models.CharField(max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "send_at"], name="scheduledemail_due"),
            models.Index(
                fields=["workspace", "person", "send_at"], name="scheduledemail_ws_person"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
