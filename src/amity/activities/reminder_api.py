"""JSON API for reminders, scheduled emails, notification preferences and the task trash."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import AwareDatetime, field_validator

from amity.activities import alerts, reminder_services, scheduled_emails
from amity.activities import task_services as tasks
from amity.activities.models import AlertPreference, Reminder, ScheduledEmail
from amity.activities.task_api import TaskOut, task_out
from amity.core import access, idempotency
from amity.core.api import (
    MAX_ID,
    documents_headers,
    errors,
    etag_for,
    expected_version,
    json_only,
    json_response,
    member_of,
    record_response,
    refuse_other_methods,
)
from amity.customers.api import Id, IdempotencyKey, IfMatch, In
from amity.customers.models import Person

router = Router(tags=["reminders"])
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Remove the NUL character.")
    return value


# Reminders ----------------------------------------------------------------------


class ReminderCreate(In):
    target_type: Literal["task", "event", "person", "company"]
    target_id: RefId
    remind_at: AwareDatetime | None = Field(
        None, description="When to remind you (a person or company: required)."
    )
    minutes_before: int | None = Field(
        None,
        ge=0,
        le=28 * 24 * 60,
        description="Tasks and events: minutes before it is due or starts (whole days "
        "count on your local calendar).",
    )
    note: str = Field("", max_length=500)
    email: bool = False
    in_app: bool = True

    _clean_note = field_validator("note", mode="after")(_no_nul)


class ReminderOut(Schema):
    id: int
    target_type: str
    target_id: int | None
    remind_at: datetime
    minutes_before: int
    note: str
    email: bool
    in_app: bool
    status: str
    version: int


class ReminderList(Schema):
    items: list[ReminderOut]


def _reminder_out(reminder: Reminder) -> ReminderOut:
    return ReminderOut(
        id=reminder.pk,
        target_type=reminder.target_type,
        target_id=reminder.target_id,
        remind_at=reminder.due_at,
        minutes_before=reminder.minutes_before,
        note=reminder.note,
        email=reminder.email,
        in_app=reminder.in_app,
        status=reminder.status,
        version=reminder.version,
    )


def _reminder_response(request: HttpRequest, status: int, reminder: Reminder) -> HttpResponse:
    return record_response(request, status, reminder, _reminder_out(reminder))


@router.get(
    "/reminders", response={200: ReminderList, **errors(401, 422)}, operation_id="reminders_list"
)
def list_reminders(request: HttpRequest) -> ReminderList:
    """List your pending reminders in this workspace, soonest first (at most 200)."""
    items = reminder_services.mine(member_of(request))[:200]
    return ReminderList(items=[_reminder_out(r) for r in items])


@router.post(
    "/reminders",
    response={201: ReminderOut, **errors(400, 401, 403, 404, 409, 415, 422)},
    operation_id="reminders_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_reminder(
    request: HttpRequest, payload: ReminderCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Remind yourself about a task or event (minutes before) or a record (at a moment)."""
    member = member_of(request)

    def produce() -> HttpResponse:
        reminder = reminder_services.create(
            member,
            payload.target_type,
            payload.target_id,
            remind_at=payload.remind_at,
            minutes_before=payload.minutes_before,
            note=payload.note,
            email=payload.email,
            in_app=payload.in_app,
        )
        return _reminder_response(request, 201, reminder)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/reminders/{id}",
    response={200: ReminderOut, **errors(401, 404, 422)},
    operation_id="reminders_get",
    openapi_extra=documents_headers(200),
)
def get_reminder(request: HttpRequest, id: Id) -> HttpResponse:
    """Return one of your pending reminders with its ETag."""
    return _reminder_response(request, 200, reminder_services.get_mine(member_of(request), id))


@router.delete(
    "/reminders/{id}",
    response={204: None, **errors(401, 404, 412, 422, 428)},
    operation_id="reminders_delete",
)
def delete_reminder(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Cancel one of your pending reminders."""
    member = member_of(request)
    reminder = reminder_services.get_mine(member, id)
    version = expected_version(reminder, if_match)
    reminder_services.cancel(member, reminder, expected_version=version)
    return HttpResponse(status=204)


# Scheduled emails ----------------------------------------------------------------

Subject = Annotated[str, Field(min_length=1, max_length=scheduled_emails.MAX_SUBJECT)]
Body = Annotated[str, Field(min_length=1, max_length=scheduled_emails.MAX_BODY)]


class ScheduledEmailCreate(In):
    subject: Subject
    body: Body = Field(description="Plain text.")
    send_at: AwareDatetime

    _clean = field_validator("subject", "body", mode="after")(_no_nul)


class ScheduledEmailPatch(In):
    subject: Subject | None = None
    body: Body | None = None
    send_at: AwareDatetime | None = None

    @field_validator("subject", "body", mode="after")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return _no_nul(value) if value is not None else None


class ScheduledEmailOut(Schema):
    id: int
    person_id: int
    author: int | None = Field(description="The author's user id.")
    subject: str
    body: str
    send_at: datetime
    status: Literal["pending", "sent", "cancelled"]
    to: str = Field(description="The address it went to, once sent.")
    sent_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ScheduledEmailList(Schema):
    items: list[ScheduledEmailOut]


def _email_out(item: ScheduledEmail) -> ScheduledEmailOut:
    return ScheduledEmailOut(
        id=item.pk,
        person_id=item.person_id,
        author=item.author_id,
        subject=item.subject,
        body=item.body,
        send_at=item.send_at,
        status=item.status,  # type: ignore[arg-type]
        to=item.to,
        sent_at=item.sent_at,
        version=item.version,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _email_response(request: HttpRequest, status: int, item: ScheduledEmail) -> HttpResponse:
    return record_response(
        request, status, item, _email_out(item), location=f"/api/v1/scheduled-emails/{item.pk}"
    )


@router.get(
    "/people/{id}/scheduled-emails",
    response={200: ScheduledEmailList, **errors(401, 404, 422)},
    operation_id="scheduled_emails_list",
)
def list_scheduled_emails(request: HttpRequest, id: Id) -> ScheduledEmailList:
    """List the emails written to a person for later (the newest 200), soonest first."""
    member = member_of(request)
    person = access.get_for_user(member, Person, id)
    items = scheduled_emails.for_person(member, person)[:200]
    return ScheduledEmailList(items=[_email_out(e) for e in items])


@router.post(
    "/people/{id}/scheduled-emails",
    response={201: ScheduledEmailOut, **errors(400, 401, 403, 404, 409, 415, 422)},
    operation_id="scheduled_emails_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_scheduled_email(
    request: HttpRequest,
    id: Id,
    payload: ScheduledEmailCreate,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Write an email to the person's primary address, sent at `send_at` (needs consent)."""
    member = member_of(request)

    def produce() -> HttpResponse:
        person = access.get_for_user(member, Person, id)
        item = scheduled_emails.schedule(member, person, payload.model_dump())
        return _email_response(request, 201, item)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/scheduled-emails/{id}",
    response={200: ScheduledEmailOut, **errors(401, 404, 422)},
    operation_id="scheduled_emails_get",
    openapi_extra=documents_headers(200),
)
def get_scheduled_email(request: HttpRequest, id: Id) -> HttpResponse:
    """Return one scheduled email with its ETag."""
    return _email_response(request, 200, scheduled_emails.get_for_member(member_of(request), id))


@router.patch(
    "/scheduled-emails/{id}",
    response={200: ScheduledEmailOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="scheduled_emails_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_scheduled_email(
    request: HttpRequest, id: Id, payload: ScheduledEmailPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a pending email, if it is still at the version you read (412 once it went)."""
    member = member_of(request)
    item = scheduled_emails.get_for_member(member, id, "change")
    version = expected_version(item, if_match)
    current = {"subject": item.subject, "body": item.body, "send_at": item.send_at}
    data = {**current, **payload.model_dump(exclude_unset=True, exclude_none=True)}
    item = scheduled_emails.update(member, item, data, expected_version=version)
    return _email_response(request, 200, item)


@router.delete(
    "/scheduled-emails/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="scheduled_emails_cancel",
)
def cancel_scheduled_email(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Cancel a pending email before it goes (412 once it went)."""
    member = member_of(request)
    item = scheduled_emails.get_for_member(member, id, "change")
    scheduled_emails.cancel(member, item, expected_version=expected_version(item, if_match))
    return HttpResponse(status=204)


# Notification preferences -------------------------------------------------------


class PreferencesOut(Schema):
    task_assigned_app: bool = Field(description="A task given to you: in the bell.")
    task_assigned_email: bool = Field(description="A task given to you: by email.")
    reminder_app: bool = Field(description="Reminders and due items: in the bell.")
    reminder_email: bool = Field(description="Reminders and due items: by email.")
    digest: bool = Field(description="A daily digest email of your tasks.")
    version: int


class PreferencesPatch(In):
    task_assigned_app: bool | None = None
    task_assigned_email: bool | None = None
    reminder_app: bool | None = None
    reminder_email: bool | None = None
    digest: bool | None = None


def _preferences_response(request: HttpRequest, pref: AlertPreference) -> HttpResponse:
    out = PreferencesOut(
        task_assigned_app=pref.task_assigned_app,
        task_assigned_email=pref.task_assigned_email,
        reminder_app=pref.reminder_app,
        reminder_email=pref.reminder_email,
        digest=pref.digest,
        version=pref.version,
    )
    return json_response(request, 200, out, {"ETag": etag_for(pref)})


@router.get(
    "/notification-preferences",
    response={200: PreferencesOut, **errors(401, 422)},
    operation_id="notification_preferences_get",
    openapi_extra=documents_headers(200),
)
def get_preferences(request: HttpRequest) -> HttpResponse:
    """Return how you hear about tasks and reminders in this workspace, with its ETag."""
    return _preferences_response(request, alerts.stored_preferences(member_of(request)))


@router.patch(
    "/notification-preferences",
    response={200: PreferencesOut, **errors(400, 401, 412, 415, 422, 428)},
    operation_id="notification_preferences_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_preferences(
    request: HttpRequest, payload: PreferencesPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change how you hear about tasks and reminders, if still at the version you read."""
    member = member_of(request)
    pref = alerts.stored_preferences(member)
    version = expected_version(pref, if_match)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    pref = alerts.update_preferences(member, changes, expected_version=version)
    return _preferences_response(request, pref)


# The task trash -----------------------------------------------------------------


@router.post(
    "/tasks/{id}/restore",
    response={200: TaskOut, **errors(401, 403, 404, 422)},
    operation_id="tasks_restore",
    openapi_extra=documents_headers(200),
)
def restore_task(request: HttpRequest, id: Id) -> HttpResponse:
    """Take one of your deletable tasks out of the trash (within 30 days of deleting it)."""
    member = member_of(request)
    task = tasks.restore_task(member, tasks.get_trashed(member, id))
    return json_response(request, 200, task_out(task), {"ETag": etag_for(task)})


refuse_other_methods(router)
