"""Sensitive custom fields are masked on records and revealed like the built-in ones."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import custom_fields
from amity.customers.models import Company, Person
from tests.api.conftest import Api, body, token_for
from tests.conftest import World
from tests.customers import helpers

PASSPORT = "X12345678"
VAT = "NO999888777"


@pytest.fixture
def ann(world: World) -> Person:
    member = world.member(world.alice)
    custom_fields.create_definition(
        member, {"target": "person", "key": "passport", "label": "Passport", "type": "sensitive"}
    )
    return helpers.person(world, last_name="Ann", custom={"passport": PASSPORT})


@pytest.fixture
def initech(world: World) -> Company:
    member = world.member(world.alice)
    custom_fields.create_definition(
        member, {"target": "company", "key": "vat", "label": "VAT number", "type": "sensitive"}
    )
    return helpers.company(world, custom={"vat": VAT})


def test_the_person_page_masks_it_among_the_sensitive_details(
    world: World, ann: Person, as_user: Callable[[User], Client]
) -> None:
    page = as_user(world.frank).get(f"/people/{ann.pk}/").content.decode()
    assert PASSPORT not in page
    row = page[page.index('id="sensitive-custom-passport"') :]
    assert "•••• 5678" in row[:2000] and 'name="field" value="custom.passport"' in row[:2000]
    page = as_user(world.carol).get(f"/people/{ann.pk}/").content.decode()
    assert PASSPORT not in page and "custom.passport" not in page
    assert "Your role shows these masked." in page


def test_it_reveals_one_custom_field_with_one_audit_event(
    world: World, ann: Person, as_user: Callable[[User], Client]
) -> None:
    response = as_user(world.frank).post(
        f"/people/{ann.pk}/reveal/",
        {"field": "custom.passport", "reason": "Travel booking"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="sensitive" id="sensitive-custom-passport">')
    assert f"<code>{PASSPORT}</code>" in html
    [event] = helpers.events("reveal", ann)
    assert (event.changes, event.reason) == ({"field": "custom.passport"}, "Travel booking")


def test_it_needs_a_reason_and_the_reveal_grant(
    world: World, ann: Person, as_user: Callable[[User], Client]
) -> None:
    response = as_user(world.frank).post(
        f"/people/{ann.pk}/reveal/", {"field": "custom.passport", "reason": ""}
    )
    assert PASSPORT not in response.content.decode()
    response = as_user(world.carol).post(
        f"/people/{ann.pk}/reveal/", {"field": "custom.passport", "reason": "Curious"}
    )
    assert response.status_code == 403
    assert helpers.events("reveal", ann) == []


def test_the_api_reveals_it_by_name(world: World, ann: Person) -> None:
    api = Api(token_for(world, world.erin))
    response = api.post(
        f"/people/{ann.pk}/reveal", {"fields": ["custom.passport"], "reason": "Travel booking"}
    )
    assert body(response) == {"values": {"custom.passport": PASSPORT}}
    assert len(helpers.events("reveal", ann)) == 1


def test_a_company_reveals_its_sensitive_custom_fields(
    world: World, initech: Company, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.erin)
    page = client.get(f"/companies/{initech.pk}/").content.decode()
    assert VAT not in page and "•••• 8777" in page
    assert f'action="/companies/{initech.pk}/reveal/"' in page
    response = client.post(
        f"/companies/{initech.pk}/reveal/", {"field": "custom.vat", "reason": "Invoice check"}
    )
    assert response.status_code == 200 and f"<code>{VAT}</code>" in response.content.decode()
    [event] = helpers.events("reveal", initech)
    assert event.changes == {"field": "custom.vat"}
    assert as_user(world.bob).post(
        f"/companies/{initech.pk}/reveal/", {"field": "custom.vat", "reason": "x y z"}
    ).status_code in (403, 404)


def test_exports_never_hold_it(
    world: World, ann: Person, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.alice)
    for url in ("/people/export/?format=csv", "/people/export/?format=csv&cols=cf_passport"):
        content = client.get(url).content.decode()
        assert PASSPORT not in content and "5678" not in content


def test_the_api_reveals_a_companys_custom_field_with_a_reason(
    world: World, initech: Company
) -> None:
    api = Api(token_for(world, world.erin))
    url = f"/companies/{initech.pk}/reveal"
    response = api.post(url, {"fields": ["custom.vat"], "reason": "Invoice check"})
    assert body(response) == {"values": {"custom.vat": VAT}}
    [event] = helpers.events("reveal", initech)
    assert (event.changes, event.reason) == ({"field": "custom.vat"}, "Invoice check")
    for refused in (
        {"fields": ["custom.vat"]},
        {"fields": ["custom.vat"], "reason": "  "},
        {"fields": ["national_id"], "reason": "Invoice check"},
        {"fields": ["custom.nope"], "reason": "Invoice check"},
    ):
        response = api.post(url, refused)
        assert response.status_code == 422, refused
        assert VAT not in response.content.decode()
    response = Api(token_for(world, world.bob)).post(
        url, {"fields": ["custom.vat"], "reason": "Curious"}
    )
    assert response.status_code == 403 and VAT not in response.content.decode()
    assert len(helpers.events("reveal", initech)) == 1
