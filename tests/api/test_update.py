"""PATCH /companies/{id} and /people/{id}: permissions and If-Match."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amity.core import crypto
from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Company, CustomerRecord
from tests.api.conftest import Api, body, error_code
from tests.conftest import World


def make(world: World, kind: str, owner: User) -> CustomerRecord:
    alice = world.member(world.alice)
    if kind == "companies":
        return customers.create_company(alice, {"name": "Initech", "owner": owner.pk})
    return customers.create_person(alice, {"last_name": "Lovelace", "owner": owner.pk})


def change(kind: str) -> dict[str, str]:
    return {"phone": "+47 22 00 00 00"}


def etag(record: CustomerRecord, version: int = 1) -> dict[str, str]:
    singular = "company" if isinstance(record, Company) else "person"
    return {"If-Match": f'"{singular}-{record.pk}-v{version}"'}


def unchanged(record: CustomerRecord) -> None:
    record.refresh_from_db()
    assert (record.version, record.phone) == (1, "")


@pytest.mark.parametrize("kind", ["companies", "people"])
@pytest.mark.parametrize("role", ["alice", "erin", "carol", "frank"])
def test_it_updates(world: World, kind: str, role: str, api_as: Callable[[User], Api]) -> None:
    record = make(world, kind, owner=world.bob)
    response = api_as(getattr(world, role)).patch(
        f"/{kind}/{record.pk}", change(kind), etag(record)
    )
    assert response.status_code == 200, response.content
    assert body(response)["phone"] == "+4722000000"
    assert body(response)["version"] == 2
    assert response["ETag"] == etag(record, 2)["If-Match"]
    record.refresh_from_db()
    assert (record.phone, record.version) == ("+4722000000", 2)


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_sales_edits_own_records_only(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    bob = api_as(world.bob)
    own = make(world, kind, owner=world.bob)
    assert bob.patch(f"/{kind}/{own.pk}", change(kind), etag(own)).status_code == 200
    carols = make(world, kind, owner=world.carol)
    response = bob.patch(f"/{kind}/{carols.pk}", change(kind), etag(carols))
    assert (response.status_code, error_code(response)) == (403, "forbidden")
    unchanged(carols)


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_requires_edit_permission(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.dave)
    response = api_as(world.dave).patch(f"/{kind}/{record.pk}", change(kind), etag(record))
    assert response.status_code == 403
    unchanged(record)


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_another_workspace_looks_missing(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.alice)
    mallory = api_as(world.mallory)
    theirs = mallory.patch(f"/{kind}/{record.pk}", change(kind), etag(record))
    missing = mallory.patch(f"/{kind}/987654321", change(kind), etag(record))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    unchanged(record)


@pytest.mark.parametrize("kind", ["companies", "people"])
@pytest.mark.parametrize("header", [None, "", "*", " * "])
def test_it_requires_if_match(
    world: World, kind: str, header: str | None, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.alice)
    headers = {} if header is None else {"If-Match": header}
    response = api_as(world.alice).patch(f"/{kind}/{record.pk}", change(kind), headers)
    assert response.status_code == 428
    assert error_code(response) == "precondition_required"
    unchanged(record)


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_refuses_a_stale_or_foreign_etag(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    record = make(world, kind, owner=world.alice)
    other = make(world, kind, owner=world.alice)
    alice = api_as(world.alice)
    current = etag(record)["If-Match"]
    for header in [
        current.replace("-v1", "-v0"),
        f"W/{current}",
        etag(other)["If-Match"],
        "garbage",
        '"person-1-v1x"',
    ]:
        response = alice.patch(f"/{kind}/{record.pk}", change(kind), {"If-Match": header})
        assert response.status_code == 412, header
        assert error_code(response) == "version_conflict"
        assert response["ETag"] == current
    unchanged(record)
    response = alice.patch(f"/{kind}/{record.pk}", change(kind), {"If-Match": f'"x", {current}'})
    assert response.status_code == 200


def test_null_clears_text_and_owner(world: World, api_as: Callable[[User], Api]) -> None:
    record = customers.create_company(
        world.member(world.alice), {"name": "Initech", "industry": "Software"}
    )
    response = api_as(world.alice).patch(
        f"/companies/{record.pk}", {"industry": None, "owner": None}, etag(record)
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert (record.industry, record.owner_id, record.name) == ("", None, "Initech")
    response = api_as(world.alice).patch(f"/companies/{record.pk}", {"name": None}, etag(record, 2))
    assert response.status_code == 422
    assert list(body(response)["error"]["fields"]) == ["name"]


def test_it_changes_sensitive_fields(world: World, api_as: Callable[[User], Api]) -> None:
    person = customers.create_person(
        world.member(world.alice), {"last_name": "Lovelace"}, {"national_id": "AB123456"}
    )
    frank = api_as(world.frank)
    response = frank.patch(
        f"/people/{person.pk}", {"bank_account": "DE89 3704 0044 0532 0130 00"}, etag(person)
    )
    assert response.status_code == 200
    assert (body(response)["national_id"], body(response)["bank_account"]) == (
        "•••• 3456",
        "•••• 3000",
    )
    response = frank.patch(f"/people/{person.pk}", {"national_id": None}, etag(person, 2))
    assert body(response)["national_id"] == ""
    person.refresh_from_db()
    assert (person.national_id, person.national_id_bidx) == ("", "")
    iban = crypto.unseal(
        world.acme.pk, "person", "bank_account", str(person.uid), person.bank_account
    )
    assert iban == "DE89370400440532013000"


def test_it_refuses_bad_values(world: World, api_as: Callable[[User], Api]) -> None:
    person = customers.create_person(world.member(world.alice), {"last_name": "Lovelace"})
    alice = api_as(world.alice)
    for payload, field in [
        ({"owner": world.mallory.pk}, "owner"),
        ({"email": "nope"}, "email"),
        ({"bank_account": "NO9386011117948"}, "bank_account"),
        ({"last_name": ""}, "last_name"),
    ]:
        response = alice.patch(f"/people/{person.pk}", payload, etag(person))
        assert response.status_code == 422, payload
        assert list(body(response)["error"]["fields"]) == [field]
    person.refresh_from_db()
    assert (person.version, person.owner_id, person.bank_account) == (1, world.alice.pk, "")


def test_it_needs_a_json_body(world: World, api_as: Callable[[User], Api]) -> None:
    person = customers.create_person(world.member(world.alice), {"last_name": "Lovelace"})
    alice = api_as(world.alice)
    response = alice.client.patch(
        f"/api/v1/people/{person.pk}",
        "last_name=X",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {alice.token}", **etag(person)},
    )
    assert (response.status_code, error_code(response)) == (415, "unsupported_media_type")
    response = alice.patch(f"/people/{person.pk}", "{not json", etag(person))
    assert (response.status_code, error_code(response)) == (400, "bad_request")
    person.refresh_from_db()
    assert person.version == 1
