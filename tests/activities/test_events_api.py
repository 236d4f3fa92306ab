"""The events API: attendees in the body, If-Match on writes, filters, the feed URL reset."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from amity.activities.models import Event, EventAttendee
from amity.core import services as core_services
from amity.core.models import User
from amity.customers.models import Person
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


BODY = {
    "title": "Kick-off",
    "starts_at": "2031-03-04T09:00:00+01:00",
    "ends_at": "2031-03-04T10:00:00+01:00",
    "location": "Room 2",
    "send_invitations": False,
}


def test_it_creates_reads_updates_and_deletes_an_event_with_attendees(world: World) -> None:
    person = Person.objects.create(
        workspace=world.acme, first_name="Ann", last_name="Berg", email="ann@x.test"
    )
    client, headers = _client(world, world.bob)
    body = {
        **BODY,
        "person": person.pk,
        "attendees": [{"user": world.sam.pk}, {"person": person.pk}, {"email": "g@y.test"}],
    }
    keyed = {**headers, "Idempotency-Key": "event-1"}
    made = _send(client, "POST", "/events", keyed, body)
    again = _send(client, "POST", "/events", keyed, body)
    assert made.status_code == again.status_code == 201, made.content
    assert made.json() == again.json()
    data = made.json()
    assert data["starts_at"] == "2031-03-04T08:00:00Z"
    assert (data["organizer"], data["person"], data["sequence"], data["version"]) == (
        world.bob.pk,
        person.pk,
        0,
        1,
    )
    assert [(a["user"], a["person"], a["email"], a["response"]) for a in data["attendees"]] == [
        (world.sam.pk, None, "sam@acme.test", "needs-action"),
        (None, person.pk, "ann@x.test", "needs-action"),
        (None, None, "g@y.test", "needs-action"),
    ]
    path = f"/events/{data['id']}"
    read = _send(client, "GET", path, headers)
    assert read["ETag"] == f'"task-{data["id"]}-v1"'

    patch = {"starts_at": "2031-03-04T11:00:00Z", "ends_at": "2031-03-04T12:00:00Z"}
    assert _send(client, "PATCH", path, headers, patch).status_code == 428
    stale = _send(client, "PATCH", path, {**headers, "If-Match": '"task-1-v9"'}, patch)
    assert stale.status_code == 412
    changed = _send(client, "PATCH", path, {**headers, "If-Match": read["ETag"]}, patch)
    assert changed.status_code == 200
    assert (changed.json()["sequence"], changed.json()["version"]) == (1, 2)
    assert len(changed.json()["attendees"]) == 3  # attendees left out: unchanged

    fewer = _send(
        client,
        "PATCH",
        path,
        {**headers, "If-Match": changed["ETag"]},
        {"attendees": [{"email": "g@y.test"}], "send_invitations": False},
    )
    assert [a["email"] for a in fewer.json()["attendees"]] == ["g@y.test"]

    assert _send(client, "DELETE", path, headers).status_code == 428
    gone = _send(
        client, "DELETE", path + "?send_invitations=false", {**headers, "If-Match": fewer["ETag"]}
    )
    assert gone.status_code == 204
    assert _send(client, "GET", path, headers).status_code == 404


def test_it_answers_bad_input_with_the_field(world: World) -> None:
    client, headers = _client(world, world.bob)
    backwards = {**BODY, "ends_at": "2031-03-04T08:00:00+01:00"}
    answer = _send(client, "POST", "/events", headers, backwards)
    assert answer.status_code == 422
    assert "ends_at" in answer.json()["error"]["fields"]
    naive = {**BODY, "starts_at": "2031-03-04T09:00:00"}
    assert _send(client, "POST", "/events", headers, naive).status_code == 422
    two = {**BODY, "attendees": [{"user": world.sam.pk, "email": "a@b.test"}]}
    assert _send(client, "POST", "/events", headers, two).status_code == 422
    bad_email = {**BODY, "attendees": [{"email": "nope"}]}
    answer = _send(client, "POST", "/events", headers, bad_email)
    assert answer.status_code == 422
    assert "attendees" in answer.json()["error"]["fields"]
    outsider = {**BODY, "attendees": [{"user": world.mallory.pk}]}
    assert _send(client, "POST", "/events", headers, outsider).status_code == 422
    with tenant_guard_off():
        assert Event.objects.count() == 0 and EventAttendee.objects.count() == 0


def test_an_all_day_event_gets_local_midnights(world: World) -> None:
    User.objects.filter(pk=world.bob.pk).update(time_zone="Europe/Oslo")
    client, headers = _client(world, world.bob)
    body = {**BODY, "all_day": True, "ends_at": "2031-03-04T09:30:00+01:00"}
    data = _send(client, "POST", "/events", headers, body).json()
    assert (data["all_day"], data["starts_at"], data["ends_at"]) == (
        True,
        "2031-03-03T23:00:00Z",
        "2031-03-04T23:00:00Z",
    )


def test_the_list_filters_by_window_and_owner(world: World) -> None:
    client, headers = _client(world, world.bob)
    _send(client, "POST", "/events", headers, BODY)
    _send(
        client,
        "POST",
        "/events",
        headers,
        {
            **BODY,
            "title": "Later",
            "starts_at": "2031-06-04T09:00:00Z",
            "ends_at": "2031-06-04T10:00:00Z",
        },
    )
    window = "?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z"
    listed = _send(client, "GET", "/events" + window, headers).json()
    assert [e["title"] for e in listed["items"]] == ["Kick-off"]
    assert listed["truncated"] is False
    other = _send(client, "GET", f"/events{window}&owner={world.sam.pk}", headers).json()
    assert other["items"] == []
    too_long = "?from=2031-01-01T00:00:00Z&to=2033-01-01T00:00:00Z"
    assert _send(client, "GET", "/events" + too_long, headers).status_code == 422


def test_the_feed_reset_returns_a_working_url_once(world: World) -> None:
    client, headers = _client(world, world.bob)
    first = _send(client, "POST", "/calendar/feed", headers)
    assert first.status_code == 201
    url = first.json()["url"]
    assert Client().get(urlsplit(url).path).status_code == 200
    second = _send(client, "POST", "/calendar/feed", headers).json()["url"]
    assert Client().get(urlsplit(url).path).status_code == 404
    assert Client().get(urlsplit(second).path).status_code == 200


def test_the_list_takes_the_same_queries_for_more_events(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, headers = _client(world, world.bob)
    body = {**BODY, "attendees": [{"email": "a@x.test"}, {"user": world.sam.pk}]}
    window = "?from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _send(client, "GET", "/events" + window, headers).status_code == 200
        return len(captured)

    _send(client, "POST", "/events", headers, body)
    one = count()
    for _ in range(4):
        _send(client, "POST", "/events", headers, body)
    assert count() == one
