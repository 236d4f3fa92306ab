"""GET /companies/{id} and /people/{id}: one record with its ETag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from amity.core.models import AuditEvent, User
from amity.customers import services as customers
from amity.customers.models import CustomerRecord
from tests.api.conftest import Api, body
from tests.conftest import World

NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def make(world: World, kind: str, owner: User | None = None) -> CustomerRecord:
    alice = world.member(world.alice)
    data: dict[str, Any] = {"owner": (owner or world.alice).pk}
    if kind == "companies":
        return customers.create_company(alice, {"name": "Initech", **data})
    return customers.create_person(
        alice, {"first_name": "Ada", "last_name": "Lovelace", **data}, {"national_id": "AB123456"}
    )


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_returns_the_record_with_its_etag(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.bob)
    response = api_as(world.dave).get(f"/{kind}/{record.pk}")
    assert response.status_code == 200
    singular = "company" if kind == "companies" else "person"
    assert response["ETag"] == f'"{singular}-{record.pk}-v1"'
    data = body(response)
    assert (data["id"], data["version"], data["owner"]) == (record.pk, 1, world.bob.pk)
    if kind == "people":
        assert data["national_id"] == "•••• 3456"
        assert b"AB123456" not in response.content


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_audits_the_view(world: World, kind: str, api_as: Callable[[User], Api]) -> None:
    record = make(world, kind)
    api_as(world.carol).get(f"/{kind}/{record.pk}")
    views = AuditEvent.objects.filter(
        workspace=world.acme, action="view", object_id=str(record.pk), actor=world.carol
    )
    assert views.count() == 1


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_answers_304_when_unchanged(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind)
    api = api_as(world.alice)
    etag = api.get(f"/{kind}/{record.pk}")["ETag"]
    response = api.get(f"/{kind}/{record.pk}", {"If-None-Match": etag})
    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)
    assert api.get(f"/{kind}/{record.pk}", {"If-None-Match": f"W/{etag}"}).status_code == 304
    stale = etag.replace("-v1", "-v0")
    assert api.get(f"/{kind}/{record.pk}", {"If-None-Match": stale}).status_code == 200


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_another_workspace_looks_missing(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind)
    mallory = api_as(world.mallory)
    theirs = mallory.get(f"/{kind}/{record.pk}")
    missing = mallory.get(f"/{kind}/987654321")
    assert theirs.status_code == missing.status_code == 404
    assert body(theirs) == body(missing) == NOT_FOUND
    assert theirs.content == missing.content
    assert not AuditEvent.objects.filter(action="view", actor=world.mallory).exists()


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_a_trashed_record_looks_missing(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind)
    customers.trash(world.member(world.alice), record)
    response = api_as(world.alice).get(f"/{kind}/{record.pk}")
    assert (response.status_code, body(response)) == (404, NOT_FOUND)


@pytest.mark.parametrize("path", ["/companies/0", "/companies/abc", "/people/99999999999999999999"])
def test_it_refuses_an_invalid_id(world: World, path: str, api_as: Callable[[User], Api]) -> None:
    response = api_as(world.alice).get(path)
    assert response.status_code == 422
    assert list(body(response)["error"]["fields"]) == ["id"]


def test_it_uses_a_fixed_number_of_queries(
    world: World, api_as: Callable[[User], Api], django_assert_num_queries: Any
) -> None:
    record = make(world, "people")
    alice = api_as(world.alice)
    alice.get(f"/people/{record.pk}")
    # token, membership, person; the audit event: savepoint, chain head upsert and lock,
    # event insert, head update, release
    with django_assert_num_queries(11):  # as before, plus the tags and the definitions
        assert alice.get(f"/people/{record.pk}").status_code == 200
