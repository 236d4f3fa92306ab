"""TESTPLAN R4: Idempotency-Key on creates replays the first answer, once per key."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from amity.core import idempotency
from amity.core.models import IdempotencyRecord, Membership, User
from amity.customers import services as customers
from amity.customers.models import Company, Person
from tests.api.conftest import Api, body, error_code, token_for
from tests.conftest import World, tenant_guard_off


def companies(world: World) -> int:
    return Company.objects.filter(workspace=world.acme).count()


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def test_a_hundred_repeats_create_one_and_replay_byte_for_byte(
    world: World, api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    first = alice.post("/companies", {"name": "Initech"}, key("create-initech"))
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")
    for _ in range(100):
        again = alice.post("/companies", {"name": "Initech"}, key("create-initech"))
        assert (again.status_code, again.content) == (first.status_code, first.content)
        for header in ("Content-Type", "ETag", "Location"):
            assert again[header] == first[header]
        assert again["Idempotent-Replayed"] == "true"
    assert companies(world) == 1


def test_the_same_json_in_another_layout_is_the_same_request(
    world: World, api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    first = alice.post("/people", '{"last_name": "Lovelace", "title": "Countess"}', key("k"))
    again = alice.post("/people", '{"title":"Countess","last_name":"Lovelace"}', key("k"))
    assert again.content == first.content
    assert Person.objects.filter(workspace=world.acme).count() == 1


def test_a_different_body_with_the_same_key_is_refused(
    world: World, api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    alice.post("/companies", {"name": "Initech"}, key("k1"))
    for method_path, payload in [
        ("/companies", {"name": "Hooli"}),
        ("/people", {"last_name": "X"}),
    ]:
        response = alice.post(method_path, payload, key("k1"))
        assert response.status_code == 422
        assert error_code(response) == "idempotency_key_reused"
        assert list(body(response)["error"]["fields"]) == ["Idempotency-Key"]
    assert companies(world) == 1
    assert not Person.objects.filter(workspace=world.acme).exists()


def test_keys_are_scoped_to_the_user_and_workspace(
    world: World, api_as: Callable[[User], Api]
) -> None:
    for user in (world.alice, world.bob, world.mallory):
        response = api_as(user).post(
            "/companies?allow_duplicate=true", {"name": "Initech"}, key("shared")
        )
        assert response.status_code == 201
    assert companies(world) == 2
    assert Company.objects.filter(workspace=world.globex).count() == 1


@pytest.mark.parametrize("length", [0, 256])
def test_it_refuses_a_key_of_bad_length(
    world: World, length: int, api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.alice).post("/companies", {"name": "Initech"}, key("k" * length))
    assert response.status_code == 422
    assert list(body(response)["error"]["fields"]) == ["Idempotency-Key"]
    assert companies(world) == 0


def test_it_accepts_a_key_of_255_characters(world: World, api_as: Callable[[User], Api]) -> None:
    alice = api_as(world.alice)
    for _ in range(2):
        assert alice.post("/companies", {"name": "I"}, key("k" * 255)).status_code == 201
    assert companies(world) == 1


def test_a_refused_create_is_replayed_too(world: World, api_as: Callable[[User], Api]) -> None:
    alice = api_as(world.alice)
    bob: Membership = world.member(world.bob)
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    payload = {"name": "Initech", "owner": world.bob.pk}
    first = alice.post("/companies", payload, key("k"))
    assert first.status_code == 422
    Membership.objects.filter(pk=bob.pk).update(is_active=True)
    again = alice.post("/companies", payload, key("k"))
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (
        422,
        first.content,
        "true",
    )
    assert companies(world) == 0


def _reserve(world: World, user: User, path: str, data: bytes, age: timedelta) -> None:
    request = Client().post(path, data, content_type="application/json").wsgi_request
    record = IdempotencyRecord.objects.create(
        workspace=world.acme,
        user=user,
        key="busy",
        method="POST",
        path=path,
        request_hash=idempotency.fingerprint(request),
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - age)


def test_a_duplicate_while_the_first_runs_gets_409(
    world: World, api_as: Callable[[User], Api]
) -> None:
    _reserve(world, world.alice, "/api/v1/companies", b'{"name": "Initech"}', timedelta(seconds=2))
    response = api_as(world.alice).post("/companies", {"name": "Initech"}, key("busy"))
    assert (response.status_code, error_code(response)) == (409, "idempotency_in_progress")
    assert response["Retry-After"] == "1"
    assert companies(world) == 0


@pytest.mark.parametrize("age", [timedelta(minutes=6), timedelta(hours=25)])
def test_an_abandoned_or_expired_key_is_taken_over(
    world: World, age: timedelta, api_as: Callable[[User], Api]
) -> None:
    _reserve(world, world.alice, "/api/v1/companies", b'{"name": "Initech"}', age)
    response = api_as(world.alice).post("/companies", {"name": "Initech"}, key("busy"))
    assert response.status_code == 201
    assert companies(world) == 1
    record = IdempotencyRecord.objects.get(workspace=world.acme, key="busy")
    assert (record.status_code, bytes(record.response_body or b"")) == (201, response.content)


def test_a_server_error_releases_the_key(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    api = Api(token_for(world, world.alice), Client(raise_request_exception=False))
    real = customers.create_company

    def broken(*args: Any, **kwargs: Any) -> Company:
        real(*args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(customers, "create_company", broken)
    response = api.post("/companies", {"name": "Initech"}, key("k"))
    assert (response.status_code, error_code(response)) == (500, "server_error")
    assert companies(world) == 0
    assert not IdempotencyRecord.objects.filter(workspace=world.acme).exists()
    monkeypatch.setattr(customers, "create_company", real)
    assert api.post("/companies", {"name": "Initech"}, key("k")).status_code == 201
    assert companies(world) == 1


def test_purge_removes_answers_older_than_a_day(world: World) -> None:
    for age, name in [(timedelta(hours=23), "young"), (timedelta(hours=25), "old")]:
        IdempotencyRecord.objects.create(
            workspace=world.acme,
            user=world.alice,
            key=name,
            method="POST",
            path="/",
            request_hash="",
        )
        IdempotencyRecord.objects.filter(workspace=world.acme, key=name).update(
            created_at=timezone.now() - age
        )
    assert idempotency.purge_expired() == 1
    keys = IdempotencyRecord.objects.filter(workspace=world.acme).values_list("key", flat=True)
    assert list(keys) == ["young"]


def _race(token: str, name: str, threads: int = 10) -> list[tuple[int, bytes, str | None]]:
    """POST the same create with the same key from `threads` connections at once."""
    barrier = threading.Barrier(threads)
    answers: list[tuple[int, bytes, str | None]] = []

    def post() -> None:
        try:
            api = Api(token)
            barrier.wait()
            r = api.post("/companies", {"name": name}, key(name))
            answers.append((r.status_code, r.content, r.get("Idempotent-Replayed")))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=post) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_duplicates_create_exactly_one(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite's in-memory test database has table-level locks "
            "across connections, so concurrent writers fail instead of waiting"
        )
    token = token_for(world, world.alice)
    for round_no in range(5):
        name = f"Initech {round_no}"
        answers = _race(token, name)
        assert len(answers) == 10
        created = [a for a in answers if a[0] == 201 and a[2] is None]
        assert len(created) == 1, answers
        for status, content, _ in answers:
            if status == 201:
                assert content == created[0][1]
            else:
                assert (status, json.loads(content)["error"]["code"]) == (
                    409,
                    "idempotency_in_progress",
                )
        with tenant_guard_off():
            assert Company.objects.filter(name=name).count() == 1
