"""The API for reminders, scheduled emails, notification preferences, read-all and restore."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from amity.activities import events, task_services
from amity.activities.models import Reminder, ScheduledEmail
from amity.core import notifications
from amity.core import services as core_services
from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Person
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off


def _client(world: World, user: User) -> tuple[Client, dict[str, str]]:
    _, raw = core_services.create_token(world.member(user), "test")
    return Client(), {"Authorization": f"Bearer {raw}"}


def _send(client: Client, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    return client.generic(
        method,
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _later(**delta: int) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def test_it_creates_lists_and_deletes_a_reminder_on_a_record(world: World) -> None:
    ann = customers.create_person(world.member(world.alice), {"last_name": "Ann"})
    client, headers = _client(world, world.bob)
    body = {"target_type": "person", "target_id": ann.pk, "remind_at": _later(days=1), "note": "X"}
    keyed = {**headers, "Idempotency-Key": "r-1"}
    first = _send(client, "POST", "/reminders", keyed, body)
    again = _send(client, "POST", "/reminders", keyed, body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    data = first.json()
    assert (data["target_type"], data["target_id"], data["note"]) == ("person", ann.pk, "X")
    listed = _send(client, "GET", "/reminders", headers).json()["items"]
    assert [r["id"] for r in listed] == [data["id"]]
    path = f"/reminders/{data['id']}"
    assert _send(client, "DELETE", path, headers).status_code == 428
    stale = {**headers, "If-Match": f'"reminder-{data["id"]}-v9"'}
    assert _send(client, "DELETE", path, stale).status_code == 412
    etag = _send(client, "GET", path, headers)["ETag"]
    assert _send(client, "DELETE", path, {**headers, "If-Match": etag}).status_code == 204
    assert _send(client, "GET", "/reminders", headers).json()["items"] == []


def test_a_reminder_on_an_event_counts_minutes_before_its_start(world: World) -> None:
    starts = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)
    event = events.create_event(
        world.member(world.bob),
        {"title": "Demo", "starts_at": starts, "ends_at": starts + timedelta(hours=1)},
    )
    client, headers = _client(world, world.bob)
    body = {"target_type": "event", "target_id": event.pk, "minutes_before": 60, "email": True}
    response = _send(client, "POST", "/reminders", headers, body)
    assert response.status_code == 201
    assert response.json()["remind_at"] == "2030-06-03T08:00:00Z"
    # Someone else's event: not theirs to be reminded of.
    other, other_headers = _client(world, world.alice)
    refused = _send(other, "POST", "/reminders", other_headers, body)
    assert refused.status_code == 422
    assert list(refused.json()["error"]["fields"]) == ["target_id"]


def test_a_reminder_on_a_task_follows_its_due_moment(world: World) -> None:
    task = helpers.task(world, world.bob, due=date(2030, 6, 3))
    client, headers = _client(world, world.bob)
    body = {"target_type": "task", "target_id": task.pk, "minutes_before": 1440}
    assert _send(client, "POST", "/reminders", headers, body).status_code == 201
    with tenant_guard_off():
        assert Reminder.objects.get().due_at == task.due_at - timedelta(days=1)


def test_a_record_reminder_needs_a_moment_in_the_future(world: World) -> None:
    ann = customers.create_person(world.member(world.alice), {"last_name": "Ann"})
    client, headers = _client(world, world.bob)
    for remind_at in (None, "2020-01-01T09:00:00Z"):
        body = {"target_type": "person", "target_id": ann.pk, "remind_at": remind_at}
        response = _send(client, "POST", "/reminders", headers, body)
        assert response.status_code == 422
        assert list(response.json()["error"]["fields"]) == ["remind_at"]


def _consenting(world: World) -> Person:
    ann = customers.create_person(world.member(world.alice), {"last_name": "Ann"})
    Person.objects.filter(pk=ann.pk, workspace_id=ann.workspace_id).update(
        email="ann@example.test", email_consent=True
    )
    return ann


def test_it_schedules_updates_and_cancels_an_email(world: World) -> None:
    ann = _consenting(world)
    client, headers = _client(world, world.bob)
    body = {"subject": "Offer", "body": "Hello", "send_at": _later(days=1)}
    created = _send(client, "POST", f"/people/{ann.pk}/scheduled-emails", headers, body)
    assert created.status_code == 201
    item = created.json()
    path = f"/scheduled-emails/{item['id']}"
    assert created["Location"] == f"/api/v1{path}"
    assert _send(client, "PATCH", path, headers, {"subject": "New"}).status_code == 428
    patched = _send(
        client, "PATCH", path, {**headers, "If-Match": created["ETag"]}, {"subject": "New"}
    )
    assert (patched.status_code, patched.json()["subject"], patched.json()["version"]) == (
        200,
        "New",
        2,
    )
    stale = _send(client, "DELETE", path, {**headers, "If-Match": created["ETag"]})
    assert stale.status_code == 412
    assert (
        _send(client, "DELETE", path, {**headers, "If-Match": patched["ETag"]}).status_code == 204
    )
    listed = _send(client, "GET", f"/people/{ann.pk}/scheduled-emails", headers).json()["items"]
    assert [(e["subject"], e["status"]) for e in listed] == [("New", "cancelled")]


def test_it_refuses_an_email_without_consent_on_the_person_field(world: World) -> None:
    ann = customers.create_person(world.member(world.alice), {"last_name": "Ann"})
    client, headers = _client(world, world.bob)
    body = {"subject": "Offer", "body": "Hello", "send_at": _later(days=1)}
    response = _send(client, "POST", f"/people/{ann.pk}/scheduled-emails", headers, body)
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["person"]
    with tenant_guard_off():
        assert ScheduledEmail.objects.count() == 0


def test_it_reads_and_updates_notification_preferences(world: World) -> None:
    client, headers = _client(world, world.bob)
    got = _send(client, "GET", "/notification-preferences", headers)
    assert got.json() == {
        "task_assigned_app": True,
        "task_assigned_email": False,
        "reminder_app": True,
        "reminder_email": False,
        "digest": False,
        "version": 1,
    }
    body = {"digest": True, "reminder_email": True}
    assert _send(client, "PATCH", "/notification-preferences", headers, body).status_code == 428
    done = _send(
        client, "PATCH", "/notification-preferences", {**headers, "If-Match": got["ETag"]}, body
    )
    assert (done.json()["digest"], done.json()["reminder_email"], done.json()["version"]) == (
        True,
        True,
        2,
    )
    again = _send(
        client, "PATCH", "/notification-preferences", {**headers, "If-Match": got["ETag"]}, body
    )
    assert again.status_code == 412


def test_it_marks_every_notification_read(world: World) -> None:
    member = world.member(world.bob)
    for n in range(3):
        notifications.notify(member, kind="mention", text=f"N{n}", url="/")
    client, headers = _client(world, world.bob)
    response = _send(client, "POST", "/notifications/read-all", headers)
    assert response.json() == {"marked": 3, "unread": 0}
    assert _send(client, "GET", "/notifications", headers).json()["unread"] == 0


def test_it_restores_a_task_from_the_trash(world: World) -> None:
    task = helpers.task(world, world.bob)
    task_services.trash_task(world.member(world.bob), task)
    client, headers = _client(world, world.bob)
    response = _send(client, "POST", f"/tasks/{task.pk}/restore", headers)
    assert (response.status_code, response.json()["id"]) == (200, task.pk)
    assert _send(client, "GET", f"/tasks/{task.pk}", headers).status_code == 200
