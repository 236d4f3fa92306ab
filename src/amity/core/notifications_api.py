"""JSON API for the caller's notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema

from amity.core import notifications
from amity.core.api import MAX_ID, errors, member_of, refuse_other_methods
from amity.core.models import Notification

router = Router(tags=["notifications"])
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The notification's id.")]
PAGE = 50


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    actor: int | None = Field(description="The acting user's id.")
    created_at: datetime
    read_at: datetime | None


class InboxOut(Schema):
    unread: int
    items: list[NotificationOut]


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        text=n.text,
        url=n.url,
        actor=n.actor_id,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@router.get(
    "/notifications",
    response={200: InboxOut, **errors(401, 422)},
    operation_id="notifications_list",
)
def list_notifications(request: HttpRequest) -> InboxOut:
    """Return your newest notifications in this workspace and how many are unread."""
    member = member_of(request)
    items = list(notifications.inbox(member)[:PAGE])
    return InboxOut(unread=member.unread_notifications, items=[_out(n) for n in items])


@router.post(
    "/notifications/{id}/read",
    response={200: NotificationOut, **errors(401, 404, 422)},
    operation_id="notifications_read",
)
def read_notification(request: HttpRequest, id: Id) -> NotificationOut:
    """Mark one of your notifications read."""
    member = member_of(request)
    found = Notification.objects.filter(
        pk=id, workspace_id=member.workspace_id, recipient_id=member.user_id
    ).first()
    if found is None:
        raise Http404
    notifications.mark_read(member, found)
    return _out(found)


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications were unread.")
    unread: int


@router.post(
    "/notifications/read-all",
    response={200: ReadAllOut, **errors(401, 422)},
    operation_id="notifications_read_all",
)
def read_all_notifications(request: HttpRequest) -> ReadAllOut:
    """Mark every one of your notifications in this workspace read."""
    member = member_of(request)
    marked = notifications.mark_all_read(member)
    return ReadAllOut(marked=marked, unread=member.unread_notifications)


refuse_other_methods(router)
