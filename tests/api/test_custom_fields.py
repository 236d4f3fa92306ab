"""/custom-fields and the `custom`, `tags`, `emails`, `phones` parts of record schemas."""

from __future__ import annotations

from collections.abc import Callable

from amity.core.models import User
from amity.customers import custom_fields, services
from amity.customers.models import CustomField
from tests.api.conftest import Api, body, error_code
from tests.conftest import World


def _define(world: World, key: str, type: str, **extra: object) -> CustomField:
    data = {"target": "person", "key": key, "label": key.title(), "type": type, **extra}
    return custom_fields.create_definition(world.member(world.alice), data)


def test_admins_manage_definitions(world: World, api_as: Callable[[User], Api]) -> None:
    alice = api_as(world.alice)
    new = {"target": "person", "key": "tier", "label": "Tier", "type": "select", "options": ["A"]}
    created = alice.post("/custom-fields", new)
    assert created.status_code == 201, created.content
    field = body(created)
    assert (field["key"], field["type"], field["options"], field["version"]) == (
        "tier",
        "select",
        ["A"],
        1,
    )
    path = f"/custom-fields/{field['id']}"
    etag = {"If-Match": created["ETag"]}
    changed = alice.patch(path, {"label": "Level", "archived": True}, etag)
    assert changed.status_code == 200, changed.content
    assert (body(changed)["label"], body(changed)["archived"]) == ("Level", True)
    assert alice.patch(path, {"label": "Stale"}, etag).status_code == 412
    assert alice.patch(path, {"type": "text"}, {"If-Match": changed["ETag"]}).status_code == 422
    listed = body(alice.get("/custom-fields?archived=true"))["items"]
    assert [f["label"] for f in listed] == ["Level"]
    assert body(api_as(world.dave).get("/custom-fields"))["items"] == []  # archived: hidden
    assert alice.delete(path, {"If-Match": changed["ETag"]}).status_code == 204
    assert CustomField.objects.filter(workspace=world.acme).count() == 0


def test_others_may_read_but_not_change_definitions(
    world: World, api_as: Callable[[User], Api]
) -> None:
    field = _define(world, "tier", "text")
    erin = api_as(world.erin)
    new = {"target": "person", "key": "x", "label": "X", "type": "text"}
    assert erin.post("/custom-fields", new).status_code == 403
    etag = {"If-Match": f'"custom_field-{field.pk}-v1"'}
    assert erin.patch(f"/custom-fields/{field.pk}", {"label": "Y"}, etag).status_code == 403
    assert body(erin.get("/custom-fields"))["items"][0]["key"] == "tier"
    assert body(api_as(world.mallory).get("/custom-fields"))["items"] == []
    field.refresh_from_db()
    assert (field.label, field.version) == ("Tier", 1)


def test_it_writes_and_reads_custom_values_tags_and_contacts(
    world: World, api_as: Callable[[User], Api]
) -> None:
    _define(world, "seats", "number")
    _define(world, "renewal", "money")
    payload = {
        "last_name": "Lee",
        "billing_country": "NO",
        "emails": [
            {"value": "lee@home.test", "type": "home"},
            {"value": "lee@work.test", "primary": True},
        ],
        "phones": [{"value": "22 33 44 55", "type": "work"}],
        "tags": ["VIP"],
        "email_consent": True,
        "custom": {"seats": "12", "renewal": {"amount": "99.9", "currency": "nok"}},
    }
    response = api_as(world.bob).post("/people", payload)
    assert response.status_code == 201, response.content
    person = body(response)
    assert person["email"] == "lee@work.test"
    assert person["emails"] == [
        {"value": "lee@work.test", "type": "work", "primary": True},
        {"value": "lee@home.test", "type": "home", "primary": False},
    ]
    assert person["phones"] == [{"value": "+4722334455", "type": "work", "primary": True}]
    assert person["tags"] == ["VIP"]
    assert person["custom"] == {"seats": 12, "renewal": {"amount": "99.90", "currency": "NOK"}}
    assert person["email_consent"] is True and person["email_consent_at"] is not None
    listed = body(api_as(world.dave).get("/people?tag=vip"))["items"]
    assert [(p["last_name"], p["tags"]) for p in listed] == [("Lee", ["VIP"])]
    assert body(api_as(world.dave).get("/people?tag=other"))["items"] == []


def test_it_answers_per_field_errors_for_custom_values(
    world: World, api_as: Callable[[User], Api]
) -> None:
    _define(world, "seats", "number")
    _define(world, "since", "date")
    response = api_as(world.bob).post(
        "/people", {"last_name": "Lee", "custom": {"seats": "many", "since": "x", "nope": 1}}
    )
    assert response.status_code == 422
    assert error_code(response) == "invalid"
    assert body(response)["error"]["fields"] == {
        "custom.seats": ["Enter a number."],
        "custom.since": ["Enter a date as YYYY-MM-DD."],
        "custom.nope": ["No such custom field."],
    }


def test_sensitive_values_are_hidden_from_roles_that_may_not_reveal(
    world: World, api_as: Callable[[User], Api]
) -> None:
    _define(world, "passport", "sensitive")
    erin = api_as(world.erin)
    created = erin.post("/people", {"last_name": "Lee", "custom": {"passport": "X1234567"}})
    assert created.status_code == 201, created.content
    assert body(created)["custom"] == {"passport": "•••• 4567"}
    pk = body(created)["id"]
    assert body(api_as(world.bob).get(f"/people/{pk}"))["custom"] == {}
    assert body(api_as(world.dave).get("/people"))["items"][0]["custom"] == {}
    # Sales may not write it either (S3): refused, value unchanged.
    person = services.create_person(world.member(world.bob), {"last_name": "Own"})
    response = api_as(world.bob).patch(
        f"/people/{person.pk}",
        {"custom": {"passport": "Z9"}},
        {"If-Match": f'"person-{person.pk}-v1"'},
    )
    assert response.status_code == 422
    assert list(body(response)["error"]["fields"]) == ["custom.passport"]
    assert custom_fields.secrets_of(person) == {}


def test_it_shows_the_field_history(world: World, api_as: Callable[[User], Api]) -> None:
    person = services.create_person(world.member(world.alice), {"last_name": "Lee"})
    services.update_person(world.member(world.alice), person, {"title": "CTO"}, expected_version=1)
    response = api_as(world.dave).get(f"/people/{person.pk}/changes?field=title")
    assert response.status_code == 200
    [change] = body(response)["items"]
    assert (change["field"], change["old"], change["new"], change["actor"]) == (
        "title",
        "",
        "CTO",
        "Alice",
    )
    assert api_as(world.mallory).get(f"/people/{person.pk}/changes").status_code == 404


def test_it_reveals_a_sensitive_value_with_a_reason_and_audits_it(
    world: World, api_as: Callable[[User], Api]
) -> None:
    from amity.core.models import AuditEvent

    _define(world, "passport", "sensitive")
    erin = world.member(world.erin)
    person = services.create_person(erin, {"last_name": "Lee", "custom": {"passport": "X1234567"}})
    path = f"/people/{person.pk}/reveal"
    ask = {"fields": ["custom.passport"], "reason": "identity check"}
    assert api_as(world.bob).post(path, ask).status_code == 403
    response = api_as(world.erin).post(path, ask)
    assert response.status_code == 200, response.content
    assert body(response) == {"values": {"custom.passport": "X1234567"}}
    reveals = AuditEvent.objects.filter(
        workspace=world.acme, action="reveal", object_id=str(person.pk)
    )
    assert [(e.changes, e.reason, e.actor_id) for e in reveals] == [
        ({"field": "custom.passport"}, "identity check", world.erin.pk)
    ]
    unknown = api_as(world.erin).post(path, {**ask, "fields": ["custom.nope"]})
    assert unknown.status_code == 422
