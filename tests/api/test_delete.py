"""DELETE /companies/{id} and /people/{id} (to the trash), and POST …/restore."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amity.core.models import AuditEvent, User
from amity.customers import services as customers
from amity.customers.models import Company, CustomerRecord
from tests.api.conftest import Api, body, error_code
from tests.conftest import World


def make(world: World, kind: str, owner: User) -> CustomerRecord:
    alice = world.member(world.alice)
    if kind == "companies":
        return customers.create_company(alice, {"name": "Initech", "owner": owner.pk})
    return customers.create_person(alice, {"last_name": "Lovelace", "owner": owner.pk})


def if_match(record: CustomerRecord, version: int = 1) -> dict[str, str]:
    singular = "company" if isinstance(record, Company) else "person"
    return {"If-Match": f'"{singular}-{record.pk}-v{version}"'}


def state(record: CustomerRecord) -> tuple[int, bool]:
    record.refresh_from_db()
    return record.version, record.deleted_at is not None


@pytest.mark.parametrize("kind", ["companies", "people"])
@pytest.mark.parametrize("role", ["alice", "erin"])
def test_it_moves_to_the_trash(
    world: World, kind: str, role: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.bob)
    api = api_as(getattr(world, role))
    response = api.delete(f"/{kind}/{record.pk}", if_match(record))
    assert (response.status_code, response.content) == (204, b"")
    assert state(record) == (2, True)
    assert api.get(f"/{kind}/{record.pk}").status_code == 404
    assert AuditEvent.objects.filter(
        workspace=world.acme, action="delete", object_id=str(record.pk)
    ).exists()


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_sales_deletes_own_records_only(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    bob = api_as(world.bob)
    own, carols = make(world, kind, owner=world.bob), make(world, kind, owner=world.carol)
    assert bob.delete(f"/{kind}/{own.pk}", if_match(own)).status_code == 204
    response = bob.delete(f"/{kind}/{carols.pk}", if_match(carols))
    assert (response.status_code, error_code(response)) == (403, "forbidden")
    assert state(carols) == (1, False)


@pytest.mark.parametrize("kind", ["companies", "people"])
@pytest.mark.parametrize("role", ["carol", "dave", "frank"])
def test_it_requires_delete_permission(
    world: World, kind: str, role: str, api_as: Callable[[User], Api]
) -> None:
    user = getattr(world, role)
    record = make(world, kind, owner=user)
    response = api_as(user).delete(f"/{kind}/{record.pk}", if_match(record))
    assert response.status_code == 403
    assert state(record) == (1, False)


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_another_workspace_looks_missing(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.alice)
    mallory = api_as(world.mallory)
    theirs = mallory.delete(f"/{kind}/{record.pk}", if_match(record))
    missing = mallory.delete(f"/{kind}/987654321", if_match(record))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert state(record) == (1, False)


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_requires_a_current_if_match(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.alice)
    alice = api_as(world.alice)
    for headers, status in [({}, 428), ({"If-Match": "*"}, 428), (if_match(record, 7), 412)]:
        assert alice.delete(f"/{kind}/{record.pk}", headers).status_code == status
    assert state(record) == (1, False)


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_restores(world: World, kind: str, api_as: Callable[[User], Api]) -> None:
    record = make(world, kind, owner=world.bob)
    customers.trash(world.member(world.alice), record)
    bob = api_as(world.bob)
    response = bob.post(f"/{kind}/{record.pk}/restore", None)
    assert response.status_code == 200
    assert body(response)["version"] == 3
    assert response["ETag"] == if_match(record, 3)["If-Match"]
    assert state(record) == (3, False)
    again = bob.post(f"/{kind}/{record.pk}/restore", None)
    assert (again.status_code, error_code(again)) == (404, "not_found")


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_restore_checks_permission_and_workspace(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.carol)
    customers.trash(world.member(world.alice), record)
    for user, status in [(world.bob, 403), (world.carol, 403), (world.mallory, 404)]:
        assert api_as(user).post(f"/{kind}/{record.pk}/restore", None).status_code == status
    assert state(record) == (2, True)
