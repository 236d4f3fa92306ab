"""POST /companies and /people: who may create, owners, sensitive fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amity.core import crypto
from amity.core.models import AuditEvent, User
from amity.customers.models import Company, Person
from tests.api.conftest import Api, body, error_code
from tests.conftest import World

BODIES = {"companies": {"name": "Initech"}, "people": {"last_name": "Lovelace"}}
MODELS = {"companies": Company, "people": Person}


def count(world: World, kind: str) -> int:
    return MODELS[kind]._default_manager.filter(workspace=world.acme).count()


@pytest.mark.parametrize("kind", ["companies", "people"])
@pytest.mark.parametrize("role", ["alice", "erin", "bob", "carol"])
def test_it_creates(world: World, kind: str, role: str, api_as: Callable[[User], Api]) -> None:
    user = getattr(world, role)
    response = api_as(user).post(f"/{kind}", BODIES[kind])
    assert response.status_code == 201, response.content
    data = body(response)
    record = MODELS[kind]._default_manager.get(workspace=world.acme, pk=data["id"])
    assert (record.owner_id, record.created_by_id, record.version) == (user.pk, user.pk, 1)
    assert data["owner"] == user.pk and data["version"] == 1
    singular = "company" if kind == "companies" else "person"
    assert response["ETag"] == f'"{singular}-{record.pk}-v1"'
    assert response["Location"] == f"/api/v1/{kind}/{record.pk}"
    assert AuditEvent.objects.filter(
        workspace=world.acme, action="create", object_id=str(record.pk), actor=user
    ).exists()


@pytest.mark.parametrize("kind", ["companies", "people"])
@pytest.mark.parametrize("role", ["dave", "frank"])
def test_it_requires_create_permission(
    world: World, kind: str, role: str, api_as: Callable[[User], Api]
) -> None:
    response = api_as(getattr(world, role)).post(f"/{kind}", BODIES[kind])
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert count(world, kind) == 0


@pytest.mark.parametrize("kind", ["companies", "people"])
def test_it_assigns_an_owner_in_the_workspace(
    world: World, kind: str, api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    response = alice.post(f"/{kind}", {**BODIES[kind], "owner": world.bob.pk})
    assert body(response)["owner"] == world.bob.pk
    response = alice.post(f"/{kind}?allow_duplicate=true", {**BODIES[kind], "owner": None})
    assert body(response)["owner"] is None
    response = alice.post(f"/{kind}", {**BODIES[kind], "owner": world.mallory.pk})
    assert response.status_code == 422
    assert body(response)["error"]["fields"] == {"owner": ["Choose a member of this workspace."]}
    assert count(world, kind) == 2


def test_it_links_a_company_of_the_workspace_only(
    world: World, api_as: Callable[[User], Api]
) -> None:
    ours = body(api_as(world.alice).post("/companies", {"name": "Initech"}))["id"]
    theirs = body(api_as(world.mallory).post("/companies", {"name": "Globex"}))["id"]
    alice = api_as(world.alice)
    assert body(alice.post("/people", {"last_name": "A", "company": ours}))["company"] == ours
    response = alice.post("/people", {"last_name": "B", "company": theirs})
    assert response.status_code == 422
    assert list(body(response)["error"]["fields"]) == ["company"]
    assert count(world, "people") == 1


def test_it_validates_fields(world: World, api_as: Callable[[User], Api]) -> None:
    alice = api_as(world.alice)
    for payload, field in [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "A\x00B"}, "name"),
        ({"name": "Initech", "email": "not-an-email"}, "email"),
        ({"name": "Initech", "website": "javascript:alert(1)"}, "website"),
        ({"name": "Initech", "billing_country": "Norway"}, "billing_country"),
        ({"name": 12}, "name"),
    ]:
        response = alice.post("/companies", payload)
        assert response.status_code == 422, payload
        assert list(body(response)["error"]["fields"]) == [field], payload
    assert count(world, "companies") == 0


def test_it_stores_sensitive_fields_encrypted_and_answers_them_masked(
    world: World, api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.erin).post(
        "/people",
        {
            "last_name": "Lovelace",
            "national_id": "01019912345",
            "bank_account": "no93 8601 1117 947",
        },
    )
    assert response.status_code == 201
    data = body(response)
    assert (data["national_id"], data["bank_account"]) == ("•••• 2345", "•••• 7947")
    person = Person.objects.get(workspace=world.acme, pk=data["id"])
    assert "01019912345" not in person.national_id
    stored = crypto.unseal(
        world.acme.pk, "person", "bank_account", str(person.uid), person.bank_account
    )
    assert stored == "NO9386011117947"
    event = AuditEvent.objects.get(workspace=world.acme, action="create", object_id=str(person.pk))
    assert "01019912345" not in str(event.changes)


def test_it_refuses_sensitive_fields_from_roles_that_may_not_reveal_them(
    world: World, api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.carol).post(
        "/people", {"last_name": "Lovelace", "national_id": "01019912345"}
    )
    assert response.status_code == 422
    assert body(response)["error"]["fields"] == {
        "national_id": ["Your role may not set this field."]
    }
    assert not Person.objects.filter(workspace=world.acme, last_name="Lovelace").exists()


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("NO9386011117948", "This IBAN's check digits do not match; look for a typing mistake."),
        ("NO938601111794", "An IBAN from NO has 15 characters, not 14."),
        ("ZZ9386011117947", "ZZ is not a country that uses IBANs."),
        ("12345", "Enter an IBAN: a country code, two check digits and the account number."),
    ],
)
def test_it_refuses_an_invalid_iban(
    world: World, iban: str, message: str, api_as: Callable[[User], Api]
) -> None:
    response = api_as(world.alice).post("/people", {"last_name": "L", "bank_account": iban})
    assert response.status_code == 422
    assert body(response)["error"]["fields"] == {"bank_account": [message]}
    assert count(world, "people") == 0
