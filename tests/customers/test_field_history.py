"""TESTPLAN S15: every change to every field is recorded (old → new, who, when) and shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import custom_fields, services
from amity.customers.models import Company, CustomerRecord, Person
from tests.conftest import World
from tests.customers import helpers

# Bookkeeping that is not data a user edits (the audit event itself says who and when).
NOT_DATA = {
    "id",
    "workspace",
    "uid",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "deleted_at",
    "deleted_by",
    "national_id_bidx",
    "bank_account_bidx",
}
COUNTRY = {"billing_country", "shipping_country", "other_country"}


def _value(record: CustomerRecord, name: str, world: World, other: Company) -> Any:
    """Return a valid new value for the field, as a service input."""
    if name == "owner":
        return world.bob.pk
    if name == "company":
        return other.pk
    if name in COUNTRY:
        return "SE"
    if name in ("email", "alt_email"):
        return "new@example.test"
    if name in ("phone", "mobile"):
        return "+46 8 123 456 78"
    if name in ("email_type", "phone_type"):
        return "home"
    if name == "size":
        return "11-50"
    if name == "lifecycle_stage":
        return "customer"
    if name == "website":
        return "https://new.example.test"
    if name in ("email_consent", "messaging_consent"):
        return True
    return "New value"


def _edits(model: type[Company] | type[Person]) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """Map each editable field to the service input that changes it and the history keys."""
    edits: dict[str, tuple[dict[str, Any], set[str]]] = {}
    for field in model._meta.concrete_fields:
        name = field.name
        if name in NOT_DATA or not field.editable:
            continue
        if name == "more_emails":
            data = {"emails": [{"value": "a@x.test"}, {"value": "b@x.test", "type": "home"}]}
            edits[name] = (data, {"email", "more_emails"})
        elif name == "more_phones":
            data = {"phones": [{"value": "+4722334455"}, {"value": "+4799999999"}]}
            edits[name] = (data, {"phone", "more_phones"})
        elif name.endswith("_consent_at"):
            edits[name] = ({name.removesuffix("_at"): True}, {name})
        elif name == "custom":
            edits[name] = ({"custom": {"tier": "Gold"}}, {"custom.tier"})
        elif name in Person.SENSITIVE_FIELDS:
            edits[name] = ({"sensitive": {name: "NO9386011117947"}}, {name})
        else:
            edits[name] = ({name: None}, {name})
    return edits


@pytest.mark.parametrize("model", [Company, Person])
def test_it_records_a_change_to_every_editable_field(
    world: World, model: type[Company] | Person
) -> None:
    custom_fields.create_definition(
        world.member(world.alice),
        {"target": model.ACCESS_TYPE, "key": "tier", "label": "Tier", "type": "text"},
    )
    other = helpers.company(world, name="Other")
    erin = world.member(world.erin)
    edits = _edits(model)  # type: ignore[arg-type]
    assert len(edits) >= 20
    for name, (data, expected) in edits.items():
        record = (
            helpers.company(world, name="Initech")
            if model is Company
            else helpers.person(world, last_name="Lee")
        )
        sensitive = data.pop("sensitive", None)
        data = {
            k: (_value(record, name, world, other) if v is None else v) for k, v in data.items()
        }
        if isinstance(record, Company):
            services.update_company(erin, record, data, expected_version=1)
        else:
            services.update_person(erin, record, data, expected_version=1, sensitive=sensitive)
        [event] = helpers.events("update", record)
        assert expected <= set(event.changes), name
        assert event.actor_id == world.erin.pk and event.at is not None
        for key in expected:
            old, new = event.changes[key]
            assert old != new, name
            if name in Person.SENSITIVE_FIELDS:
                assert new == "•••• (changed)"  # never the plaintext


def test_it_records_tag_changes(world: World) -> None:
    co = helpers.company(world, tags=["a"])
    services.update_company(world.member(world.alice), co, {"tags": ["b"]}, expected_version=1)
    [event] = helpers.events("update", co)
    assert event.changes == {"tags": ["a", "b"]}


def test_it_shows_a_fields_history_on_the_record(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, title="Dev")
    alice = world.member(world.alice)
    ann = services.update_person(alice, ann, {"title": "Lead"}, expected_version=1)
    services.update_person(alice, ann, {"title": "CTO", "first_name": "Ann"}, expected_version=2)
    client = as_user(world.dave)
    response = client.get(f"/people/{ann.pk}/changes/?field=title")
    assert response.status_code == 200
    rows = [(r.field, r.old, r.new, r.actor) for r in response.context["rows"]]
    assert rows == [
        ("title", "Lead", "CTO", "Alice"),
        ("title", "Dev", "Lead", "Alice"),
        ("title", None, "Dev", "Alice"),
    ]
    html = response.content.decode()
    assert "<del>Lead</del>" in html and "<ins>CTO</ins>" in html
    assert f'href="/people/{ann.pk}/changes/"' in client.get(f"/people/{ann.pk}/").content.decode()


def test_it_answers_the_field_history_in_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    co = helpers.company(world)
    alice = world.member(world.alice)
    for version in range(1, 6):
        co = services.update_company(
            alice, co, {"industry": f"I{version}"}, expected_version=version
        )
    client = as_user(world.dave)
    client.get(f"/companies/{co.pk}/changes/")
    # Session, user, membership, 2FA check, the company, the events, workspaces, save (three).
    with django_assert_num_queries(7):
        response = client.get(f"/companies/{co.pk}/changes/")
    assert len(response.context["rows"]) == 7  # name and owner at creation, five changes
