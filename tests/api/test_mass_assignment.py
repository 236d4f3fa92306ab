"""TESTPLAN S3: no field outside a write operation's allow-list is ever accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Company, CustomerRecord, Person
from tests.api.conftest import Api, body
from tests.conftest import World

FORBIDDEN: dict[str, Any] = {
    "id": 999,
    "pk": 999,
    "uid": "00000000-0000-0000-0000-000000000000",
    "workspace": 2,
    "workspace_id": 2,
    "owner_id": 2,
    "version": 99,
    "created_at": "2000-01-01T00:00:00Z",
    "updated_at": "2000-01-01T00:00:00Z",
    "created_by": 2,
    "created_by_id": 2,
    "deleted_at": "2000-01-01T00:00:00Z",
    "deleted_by": 2,
    "is_staff": True,
    "is_superuser": True,
    "full_name": "Not a column",
}
PERSON_ONLY = {
    "company_id": 1,
    "national_id_bidx": "0" * 32,
    "bank_account_bidx": "0" * 32,
    # Set only through `emails`, `phones` and the consent flags.
    "more_emails": [{"value": "x@example.test", "type": "work"}],
    "more_phones": [],
    "email_consent_at": "2000-01-01T00:00:00Z",
    "messaging_consent_at": "2000-01-01T00:00:00Z",
}
COMPANY_FIELDS = sorted(FORBIDDEN)
PERSON_FIELDS = sorted({**FORBIDDEN, **PERSON_ONLY})


def snapshot(record: CustomerRecord) -> dict[str, Any]:
    model = type(record)
    row = model._default_manager.filter(pk=record.pk, workspace_id=record.workspace_id).values()
    return dict(row[0])


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, (field, response.content)
    assert body(response)["error"]["fields"] == {field: ["This field cannot be set."]}


@pytest.mark.parametrize("field", COMPANY_FIELDS)
def test_company_create_refuses(world: World, field: str, api_as: Callable[[User], Api]) -> None:
    response = api_as(world.alice).post("/companies", {"name": "Initech", field: FORBIDDEN[field]})
    refused(response, field)
    assert not Company.objects.filter(workspace__in=[world.acme, world.globex]).exists()


@pytest.mark.parametrize("field", PERSON_FIELDS)
def test_person_create_refuses(world: World, field: str, api_as: Callable[[User], Api]) -> None:
    value = {**FORBIDDEN, **PERSON_ONLY}[field]
    response = api_as(world.alice).post("/people", {"last_name": "Lovelace", field: value})
    refused(response, field)
    assert not Person.objects.filter(workspace__in=[world.acme, world.globex]).exists()


@pytest.mark.parametrize("field", COMPANY_FIELDS)
def test_company_update_refuses(world: World, field: str, api_as: Callable[[User], Api]) -> None:
    company = customers.create_company(world.member(world.alice), {"name": "Initech"})
    before = snapshot(company)
    response = api_as(world.alice).patch(
        f"/companies/{company.pk}",
        {"name": "Changed", field: FORBIDDEN[field]},
        {"If-Match": f'"company-{company.pk}-v1"'},
    )
    refused(response, field)
    assert snapshot(company) == before


@pytest.mark.parametrize("field", PERSON_FIELDS)
def test_person_update_refuses(world: World, field: str, api_as: Callable[[User], Api]) -> None:
    person = customers.create_person(
        world.member(world.alice), {"last_name": "Lovelace"}, {"national_id": "AB123456"}
    )
    before = snapshot(person)
    response = api_as(world.alice).patch(
        f"/people/{person.pk}",
        {"last_name": "Changed", field: {**FORBIDDEN, **PERSON_ONLY}[field]},
        {"If-Match": f'"person-{person.pk}-v1"'},
    )
    refused(response, field)
    assert snapshot(person) == before


def test_reveal_refuses_unknown_fields(world: World, api_as: Callable[[User], Api]) -> None:
    person = customers.create_person(world.member(world.alice), {"last_name": "Lovelace"})
    response = api_as(world.alice).post(
        f"/people/{person.pk}/reveal",
        {"fields": ["national_id"], "reason": "check", "as_user": world.dave.pk},
    )
    refused(response, "as_user")


def test_a_role_without_edit_cannot_write_sensitive_fields(
    world: World, api_as: Callable[[User], Api]
) -> None:
    person = customers.create_person(
        world.member(world.alice), {"last_name": "Lovelace", "owner": world.dave.pk}
    )
    before = snapshot(person)
    response = api_as(world.dave).patch(
        f"/people/{person.pk}",
        {"national_id": "XX999999"},
        {"If-Match": f'"person-{person.pk}-v1"'},
    )
    assert response.status_code == 403
    assert snapshot(person) == before
