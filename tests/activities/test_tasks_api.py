"""The tasks API: create with an idempotency key, read with an ETag, If-Match on writes."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from amity.activities.models import Reminder
from amity.core import services as core_services
from amity.core.models import User
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


def test_it_creates_a_task_once_per_idempotency_key(world: World) -> None:
    client, headers = _client(world, world.bob)
    body = {
        "title": "Call Ann",
        "due_date": "2030-04-01",
        "due_time": "09:30",
        "remind_minutes_before": 15,
    }
    keyed = {**headers, "Idempotency-Key": "abc-1"}
    first = _send(client, "POST", "/tasks", keyed, body)
    again = _send(client, "POST", "/tasks", keyed, body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    data = first.json()
    assert (data["title"], data["assignee"], data["due_time"], data["status"], data["version"]) == (
        "Call Ann",
        world.bob.pk,
        "09:30:00",
        "open",
        1,
    )
    assert first["ETag"] == f'"task-{data["id"]}-v1"'
    assert len(helpers.all_tasks()) == 1
    with tenant_guard_off():
        assert Reminder.objects.get().minutes_before == 15


def test_it_updates_with_if_match_only(world: World) -> None:
    task = helpers.task(world, world.bob, title="Call Ann")
    client, headers = _client(world, world.bob)
    missing = _send(client, "PATCH", f"/tasks/{task.pk}", headers, {"title": "No"})
    stale = _send(
        client,
        "PATCH",
        f"/tasks/{task.pk}",
        {**headers, "If-Match": '"task-1-v9"'},
        {"title": "No"},
    )
    ok = _send(
        client,
        "PATCH",
        f"/tasks/{task.pk}",
        {**headers, "If-Match": f'"task-{task.pk}-v1"'},
        {"title": "Call Ann today", "priority": 3},
    )
    assert (missing.status_code, stale.status_code, ok.status_code) == (428, 412, 200)
    assert (ok.json()["title"], ok.json()["priority"], ok.json()["version"]) == (
        "Call Ann today",
        3,
        2,
    )


def test_it_completes_and_lists(world: World) -> None:
    helpers.task(world, world.bob, title="Later", due=2)
    task = helpers.task(world, world.bob, title="Now", due=0)
    client, headers = _client(world, world.bob)
    done = _send(client, "POST", f"/tasks/{task.pk}/complete", headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    listed = _send(client, "GET", "/tasks", headers)
    assert [t["title"] for t in listed.json()["items"]] == ["Later"]
    assert [
        t["title"] for t in _send(client, "GET", "/tasks?status=done", headers).json()["items"]
    ] == ["Now"]
    assert _send(client, "POST", f"/tasks/{task.pk}/reopen", headers).json()["status"] == "open"


def test_it_refuses_bad_input_with_field_errors(world: World) -> None:
    client, headers = _client(world, world.bob)
    response = _send(client, "POST", "/tasks", headers, {"title": "Old", "due_date": "1800-01-01"})
    assert response.status_code == 422
    assert helpers.all_tasks() == []


def test_it_hides_other_peoples_tasks_and_refuses_read_only_writes(world: World) -> None:
    alices = helpers.task(world, world.alice, title="Alice's")
    client, headers = _client(world, world.bob)
    assert _send(client, "GET", f"/tasks/{alices.pk}", headers).status_code == 404
    bobs = helpers.task(world, world.bob, title="Bob's")
    dave, dave_headers = _client(world, world.dave)
    assert _send(dave, "GET", f"/tasks/{bobs.pk}", dave_headers).status_code == 200
    assert _send(dave, "POST", f"/tasks/{bobs.pk}/complete", dave_headers).status_code == 403
    assert helpers.reload(bobs).status == "open"
