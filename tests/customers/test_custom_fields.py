"""Custom fields: definitions, values checked per type, sensitive values sealed, filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amity.core import crypto, keys
from amity.customers import custom_fields, selectors, services
from amity.customers.models import CustomField, CustomSecret
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def define(world: World, key: str, type: str, **extra: Any) -> CustomField:
    data = {"target": "person", "key": key, "label": key.title(), "type": type, **extra}
    return custom_fields.create_definition(world.member(world.alice), data)


GOOD: list[tuple[str, dict[str, Any], Any, Any]] = [
    ("text", {}, "  Gold  ", "Gold"),
    ("long_text", {}, "a\nb", "a\nb"),
    ("number", {}, "12.50", 12.5),
    ("number", {}, 7, 7),
    (
        "money",
        {},
        {"amount": "1200.5", "currency": "eur"},
        {"amount": "1200.50", "currency": "EUR"},
    ),
    ("date", {}, "2026-12-02", "2026-12-02"),
    ("select", {"options": ["Gold", "Silver"]}, "Silver", "Silver"),
    ("multi_select", {"options": ["a", "b", "c"]}, ["c", "a"], ["a", "c"]),
    ("checkbox", {}, True, True),
    ("url", {}, "https://example.test/x", "https://example.test/x"),
    ("email", {}, "x@example.test", "x@example.test"),
]
BAD: list[tuple[str, dict[str, Any], Any]] = [
    ("text", {}, "x" * 501),
    ("number", {}, "twelve"),
    ("number", {}, True),
    ("money", {}, {"amount": "1"}),
    ("money", {}, {"amount": "1", "currency": "euro"}),
    ("date", {}, "02.12.2026"),
    ("select", {"options": ["Gold"]}, "Bronze"),
    ("multi_select", {"options": ["a"]}, ["b"]),
    ("checkbox", {}, "yes"),
    ("url", {}, "javascript:alert(1)"),
    ("email", {}, "nope"),
]


@pytest.mark.parametrize(("type", "extra", "given", "stored"), GOOD)
def test_it_stores_each_type_in_its_normal_form(
    world: World, type: str, extra: dict[str, Any], given: Any, stored: Any
) -> None:
    define(world, "f", type, **extra)
    ann = helpers.person(world, custom={"f": given})
    assert helpers.reload(ann).custom == {"f": stored}


@pytest.mark.parametrize(("type", "extra", "given"), BAD)
def test_it_refuses_a_wrong_value_with_the_fields_key(
    world: World, type: str, extra: dict[str, Any], given: Any
) -> None:
    define(world, "f", type, **extra)
    with pytest.raises(ValidationError) as caught:
        helpers.person(world, custom={"f": given})
    assert list(caught.value.message_dict) == ["custom.f"]


def test_it_refuses_unknown_keys_and_missing_required_values(world: World) -> None:
    define(world, "tier", "text", required=True)
    with pytest.raises(ValidationError) as caught:
        helpers.person(world, custom={"nope": "x"})
    assert caught.value.message_dict == {
        "custom.nope": ["No such custom field."],
        "custom.tier": ["This field is required."],
    }


def test_it_keeps_values_of_archived_and_renamed_fields(world: World) -> None:
    field = define(world, "tier", "text")
    ann = helpers.person(world, custom={"tier": "Gold"})
    alice = world.member(world.alice)
    field = custom_fields.update_definition(alice, field, {"label": "Level"}, expected_version=1)
    field = custom_fields.update_definition(alice, field, {"archived": True}, expected_version=2)
    assert custom_fields.definitions(world.acme.pk, "person") == []
    # Another edit leaves the hidden value alone; un-archiving shows it again.
    services.update_person(alice, ann, {"title": "CTO"}, expected_version=1)
    assert helpers.reload(ann).custom == {"tier": "Gold"}
    custom_fields.update_definition(alice, field, {"archived": False}, expected_version=3)
    assert [f.label for f in custom_fields.definitions(world.acme.pk, "person")] == ["Level"]


def test_it_lets_only_admins_manage_definitions(world: World) -> None:
    for user in (world.erin, world.bob, world.dave):
        with pytest.raises(PermissionDenied):
            custom_fields.create_definition(
                world.member(user), {"target": "person", "key": "x", "label": "X", "type": "text"}
            )
    assert CustomField.objects.filter(workspace=world.acme).count() == 0


def test_it_refuses_bad_definitions(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        define(world, "Bad Key", "select", options=[])
    assert set(caught.value.message_dict) == {"key", "options"}
    define(world, "tier", "text")
    with pytest.raises(ValidationError):
        define(world, "tier", "text")


def test_it_seals_sensitive_values_and_masks_them_in_history(world: World) -> None:
    define(world, "passport", "sensitive")
    erin = world.member(world.erin)
    ann = services.create_person(erin, {"last_name": "Lee", "custom": {"passport": "X1234567"}})
    with tenant_guard_off():
        [secret] = CustomSecret.objects.all()
        raw = str(list(CustomSecret.objects.values_list("value", flat=True)))
    assert secret.value.startswith("v1.") and "X1234567" not in raw
    assert "passport" not in helpers.reload(ann).custom
    assert custom_fields.masked_secrets(ann) == {"passport": "•••• 4567"}
    services.update_person(erin, ann, {"custom": {"passport": "Y7654321"}}, expected_version=1)
    [create] = helpers.events("create", ann)
    [update] = helpers.events("update", ann)
    assert create.changes["custom.passport"] == [None, "•••• (changed)"]
    assert update.changes == {"custom.passport": ["•••• (changed)", "•••• (changed)"]}
    assert any(entry.label == "customers.CustomSecret" for entry in keys.registered())
    assert crypto.key_version(secret.value) == 1


def test_it_refuses_sensitive_values_from_roles_that_may_not_reveal(world: World) -> None:
    define(world, "passport", "sensitive")
    with pytest.raises(ValidationError) as caught:
        helpers.person(world, world.bob, custom={"passport": "X1"})
    assert list(caught.value.message_dict) == ["custom.passport"]


def test_it_rotates_sensitive_values_to_a_new_key(world: World) -> None:
    define(world, "passport", "sensitive")
    ann = services.create_person(
        world.member(world.erin), {"last_name": "Lee", "custom": {"passport": "X1234567"}}
    )
    keys.rotate(world.acme)
    with tenant_guard_off():
        [secret] = CustomSecret.objects.all()
    assert crypto.key_version(secret.value) == 2
    assert custom_fields.unseal(secret) == "X1234567"
    assert custom_fields.masked_secrets(ann) == {"passport": "•••• 4567"}


def test_it_filters_lists_by_custom_values(world: World) -> None:
    define(world, "tier", "select", options=["Gold", "Silver"])
    define(world, "seats", "number")
    define(world, "since", "date")
    define(world, "note", "text")
    define(world, "vip", "checkbox")
    helpers.person(
        world,
        last_name="A",
        custom={"tier": "Gold", "seats": 5, "since": "2020-01-01", "note": "Big fish", "vip": True},
    )
    helpers.person(
        world, last_name="B", custom={"tier": "Silver", "seats": 50, "since": "2024-06-01"}
    )
    helpers.person(world, last_name="C")
    member = world.member(world.dave)

    def names(*pairs: tuple[str, str]) -> list[str]:
        page = selectors.people(member, selectors.ListParams(custom=pairs))
        return [p.last_name for p in page.items]

    assert names(("cf_tier", "Gold")) == ["A"]
    assert names(("cf_seats_min", "10")) == ["B"]
    assert names(("cf_seats_max", "10")) == ["A"]
    assert names(("cf_since_min", "2021-01-01")) == ["B"]
    assert names(("cf_note", "FISH")) == ["A"]
    assert names(("cf_vip", "true")) == ["A"]
    assert names(("cf_unknown", "x"), ("cf_seats_min", "many")) == ["A", "B", "C"]
