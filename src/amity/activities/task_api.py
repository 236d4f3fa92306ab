"""JSON API for tasks: thin operations over activities.task_services and task_selectors."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from amity.activities import reminders
from amity.activities import task_selectors as selectors
from amity.activities import task_services as services
from amity.activities.models import Task
from amity.core import idempotency
from amity.core.api import (
    MAX_ID,
    documents_headers,
    errors,
    expected_version,
    json_only,
    member_of,
    record_response,
    refuse_other_methods,
)
from amity.customers.api import Id, IdempotencyKey, IfMatch, In, PageOut

router = Router(tags=["tasks"])
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Weekdays = Annotated[str, Field(max_length=7, pattern=r"^[0-6]*$")]
Offsets = Literal[0, 15, 60, 1440]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Remove the NUL character.")
    return value


class TaskFields(In):
    description: str = Field("", max_length=5000)
    due_time: time | None = Field(None, description="Wall-clock time in the assignee's zone.")
    priority: Literal[1, 2, 3] = Field(2, description="1 low, 2 normal, 3 high.")
    assignee: RefId | None = Field(None, description="A member's user id (you by default).")
    team: RefId | None = None
    related_type: Literal["person", "company", ""] = ""
    related_id: RefId | None = None
    repeat: Literal["", "daily", "weekly", "monthly", "yearly"] = ""
    repeat_every: int = Field(1, ge=1, le=999)
    repeat_weekdays: Weekdays = Field("", description='Weekly: weekday digits, Monday 0 ("024").')
    remind_minutes_before: Offsets | None = Field(None, description="Remind the assignee.")
    remind_email: bool = False

    _clean_text = field_validator("description", mode="after")(_no_nul)


class TaskCreate(TaskFields):
    title: Title
    due_date: date

    _clean_title = field_validator("title", mode="after")(_no_nul)


class TaskPatch(In):
    title: Title | None = None
    description: str | None = Field(None, max_length=5000)
    due_date: date | None = None
    due_time: time | None = None
    priority: Literal[1, 2, 3] | None = None
    assignee: RefId | None = None
    team: RefId | None = None
    related_type: Literal["person", "company", ""] | None = None
    related_id: RefId | None = None
    repeat: Literal["", "daily", "weekly", "monthly", "yearly"] | None = None
    repeat_every: int | None = Field(None, ge=1, le=999)
    repeat_weekdays: Weekdays | None = None
    remind_minutes_before: Offsets | None = None
    remind_email: bool | None = None

    @field_validator("title", "description", mode="after")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return _no_nul(value) if value is not None else None


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_date: date
    due_time: time | None
    time_zone: str
    due_at: datetime = Field(description="When it falls due (the end of the day if no time).")
    priority: int
    assignee: int | None
    team: int | None
    related_type: str
    related_id: int | None
    status: Literal["open", "done", "cancelled"]
    completed_at: datetime | None
    completed_by: int | None
    repeat: str
    repeat_every: int
    repeat_weekdays: str
    version: int
    created_at: datetime
    updated_at: datetime


class TaskPage(PageOut):
    items: list[TaskOut]


class TaskQuery(Schema):
    status: Literal["open", "done", "cancelled", "any"] = "open"
    assignee: str = Field("", pattern=r"^(|me|team|none|[0-9]{1,18})$")
    due: Literal["", "overdue", "today", "week"] = ""
    priority: Literal[1, 2, 3] | None = None
    q: str = Field("", max_length=100)
    person: RefId | None = None
    company: RefId | None = None
    sort: Literal["due", "-due", "priority", "created"] = "due"
    after: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    before: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    limit: int = Field(50, ge=1, le=200)

    _clean_q = field_validator("q", mode="after")(_no_nul)

    def params(self) -> selectors.ListParams:
        return selectors.ListParams(
            status=self.status,
            assignee=self.assignee,
            due=self.due,
            priority=self.priority,
            q=self.q,
            person=self.person,
            company=self.company,
            sort=self.sort,
            after=self.after,
            before=self.before,
            size=self.limit,
        )


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.pk,
        title=task.title,
        description=task.description,
        due_date=task.due_date,
        due_time=task.due_time,
        time_zone=task.time_zone,
        due_at=task.due_at,
        priority=task.priority,
        assignee=task.owner_id,
        team=task.team_id,
        related_type="person" if task.person_id else "company" if task.company_id else "",
        related_id=task.person_id or task.company_id,
        status=task.status,  # type: ignore[arg-type]
        completed_at=task.completed_at,
        completed_by=task.completed_by_id,
        repeat=task.repeat,
        repeat_every=task.repeat_every,
        repeat_weekdays=task.repeat_weekdays,
        version=task.version,
        created_at=task.created_at,
        updated_at=task.updated_at,
    )


def _respond(request: HttpRequest, status: int, task: Task) -> HttpResponse:
    return record_response(request, status, task, task_out(task))


def _service_data(values: dict[str, Any]) -> dict[str, Any]:
    data = dict(values)
    data["owner"] = data.pop("assignee", None)
    if "remind_minutes_before" in data:
        data["remind"] = data.pop("remind_minutes_before")
    return data


def _current(task: Task) -> dict[str, Any]:
    return {
        "title": task.title,
        "description": task.description,
        "due_date": task.due_date,
        "due_time": task.due_time,
        "priority": task.priority,
        "assignee": task.owner_id,
        "team": task.team_id,
        "related_type": "person" if task.person_id else "company" if task.company_id else "",
        "related_id": task.person_id or task.company_id,
        "repeat": task.repeat,
        "repeat_every": task.repeat_every,
        "repeat_weekdays": task.repeat_weekdays,
    }


@router.get("/tasks", response={200: TaskPage, **errors(400, 401, 422)}, operation_id="tasks_list")
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]) -> TaskPage:
    """List the tasks you may see (open ones by default), soonest due first."""
    page = selectors.tasks(member_of(request), filters.params())
    return TaskPage(
        items=[task_out(t) for t in page.items],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )


@router.post(
    "/tasks",
    response={201: TaskOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="tasks_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_task(
    request: HttpRequest, payload: TaskCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Add a task; it is yours unless you name another assignee or a team."""
    member = member_of(request)

    def produce() -> HttpResponse:
        data = _service_data(payload.model_dump())
        if data["owner"] is None and data.get("team") is None:
            data["owner"] = member.user_id
        return _respond(request, 201, services.create_task(member, data))

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/tasks/{id}",
    response={200: TaskOut, **errors(401, 404, 422)},
    operation_id="tasks_get",
    openapi_extra=documents_headers(200),
)
def get_task(request: HttpRequest, id: Id) -> HttpResponse:
    """Return one task with its ETag."""
    return _respond(request, 200, services.get_task(member_of(request), id))


@router.patch(
    "/tasks/{id}",
    response={200: TaskOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="tasks_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_task(
    request: HttpRequest, id: Id, payload: TaskPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a task, if it is still at the version you read."""
    member = member_of(request)
    task = services.get_task(member, id, "edit")
    version = expected_version(task, if_match)
    changes = payload.model_dump(exclude_unset=True)
    data = _service_data({**_current(task), **changes})
    if "remind_minutes_before" not in changes:
        data.pop("remind", None)
    elif "remind_email" not in changes:
        pending = reminders.pending_for(task)
        data["remind_email"] = bool(pending and pending.email)
    return _respond(
        request, 200, services.update_task(member, task, data, expected_version=version)
    )


@router.delete(
    "/tasks/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="tasks_delete",
)
def delete_task(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Move a task to the trash."""
    member = member_of(request)
    task = services.get_task(member, id, "delete")
    services.trash_task(member, task, expected_version=expected_version(task, if_match))
    return HttpResponse(status=204)


@router.post(
    "/tasks/{id}/complete",
    response={200: TaskOut, **errors(401, 403, 404, 412, 422)},
    operation_id="tasks_complete",
    openapi_extra=documents_headers(200),
)
def complete_task(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Mark an open task done (a repeating one gets its next occurrence); If-Match optional."""
    member = member_of(request)
    task = services.get_task(member, id, "edit")
    version = expected_version(task, if_match) if if_match else None
    services.complete_task(member, task, expected_version=version)
    return _respond(request, 200, task)


@router.post(
    "/tasks/{id}/reopen",
    response={200: TaskOut, **errors(401, 403, 404, 412, 422)},
    operation_id="tasks_reopen",
    openapi_extra=documents_headers(200),
)
def reopen_task(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Open a done or cancelled task again; If-Match optional."""
    member = member_of(request)
    task = services.get_task(member, id, "edit")
    version = expected_version(task, if_match) if if_match else None
    services.reopen_task(member, task, expected_version=version)
    return _respond(request, 200, task)


refuse_other_methods(router)
