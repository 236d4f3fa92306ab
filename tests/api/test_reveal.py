"""POST /people/{id}/reveal: plaintext for reveal-permitted roles, one audit event per field."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amity.core import audit
from amity.core.models import AuditEvent, User
from amity.customers import services as customers
from amity.customers.models import Person
from tests.api.conftest import Api, body, error_code
from tests.conftest import World

NATIONAL_ID = "01019912345"
IBAN = "NO9386011117947"


@pytest.fixture
def person(world: World) -> Person:
    return customers.create_person(
        world.member(world.alice),
        {"last_name": "Lovelace", "owner": world.bob.pk},
        {"national_id": NATIONAL_ID, "bank_account": IBAN},
    )


def reveals(world: World) -> list[tuple[int | None, str, str]]:
    events = AuditEvent.objects.filter(workspace=world.acme, action="reveal").order_by("seq")
    return [(e.actor_id, e.changes["field"], e.reason) for e in events]


@pytest.mark.parametrize("role", ["alice", "erin", "frank"])
def test_it_reveals_and_audits_each_field(
    world: World, role: str, person: Person, api_as: Callable[[User], Api]
) -> None:
    user = getattr(world, role)
    response = api_as(user).post(
        f"/people/{person.pk}/reveal",
        {"fields": ["national_id", "bank_account"], "reason": "Payout check"},
    )
    assert response.status_code == 200
    assert body(response) == {"values": {"national_id": NATIONAL_ID, "bank_account": IBAN}}
    assert reveals(world) == [
        (user.pk, "national_id", "Payout check"),
        (user.pk, "bank_account", "Payout check"),
    ]
    assert audit.verify() == []


def test_it_audits_a_field_asked_twice_once(
    world: World, person: Person, api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.frank).post(
        f"/people/{person.pk}/reveal", {"fields": ["national_id", "national_id"], "reason": "KYC"}
    )
    assert body(response) == {"values": {"national_id": NATIONAL_ID}}
    assert reveals(world) == [(world.frank.pk, "national_id", "KYC")]


def test_it_reveals_an_empty_field_as_empty(world: World, api_as: Callable[[User], Api]) -> None:
    person = customers.create_person(world.member(world.alice), {"last_name": "Hopper"})
    response = api_as(world.alice).post(
        f"/people/{person.pk}/reveal", {"fields": ["bank_account"], "reason": "KYC"}
    )
    assert body(response) == {"values": {"bank_account": ""}}
    assert len(reveals(world)) == 1


@pytest.mark.parametrize("role", ["bob", "carol", "dave"])
def test_it_requires_reveal_permission(
    world: World, role: str, person: Person, api_as: Callable[[User], Api]
) -> None:
    response = api_as(getattr(world, role)).post(
        f"/people/{person.pk}/reveal", {"fields": ["national_id"], "reason": "Curious"}
    )
    assert (response.status_code, error_code(response)) == (403, "forbidden")
    assert NATIONAL_ID.encode() not in response.content
    assert reveals(world) == []


def test_another_workspace_looks_missing(
    world: World, person: Person, api_as: Callable[[User], Api]
) -> None:
    mallory = api_as(world.mallory)
    payload = {"fields": ["national_id"], "reason": "Curious"}
    theirs = mallory.post(f"/people/{person.pk}/reveal", payload)
    missing = mallory.post("/people/987654321/reveal", payload)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fields": [], "reason": "KYC check"}, "fields"),
        ({"fields": ["email"], "reason": "KYC check"}, "fields.0"),
        ({"fields": ["national_id"], "reason": "  "}, "reason"),
        ({"fields": ["national_id"]}, "reason"),
        ({"reason": "KYC check"}, "fields"),
    ],
)
def test_it_validates_the_request(
    world: World,
    person: Person,
    payload: dict[str, object],
    field: str,
    api_as: Callable[[User], Api],
) -> None:
    response = api_as(world.alice).post(f"/people/{person.pk}/reveal", payload)
    assert response.status_code == 422
    assert list(body(response)["error"]["fields"]) == [field]
    assert reveals(world) == []


def test_a_trashed_person_cannot_be_revealed(
    world: World, person: Person, api_as: Callable[[User], Api]
) -> None:
    customers.trash(world.member(world.alice), person)
    response = api_as(world.alice).post(
        f"/people/{person.pk}/reveal", {"fields": ["national_id"], "reason": "KYC check"}
    )
    assert response.status_code == 404
    assert reveals(world) == []
