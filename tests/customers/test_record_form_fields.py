"""The person and company forms: more emails and phones, tags, custom fields, their errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from amity.core.models import User
from amity.customers import custom_fields
from amity.customers.fields import tag_names
from amity.customers.models import Person
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _define(world: World, target: str, key: str, type: str, **extra: Any) -> None:
    data = {"target": target, "key": key, "label": key.title(), "type": type, **extra}
    custom_fields.create_definition(world.member(world.alice), data)


def test_it_saves_contacts_tags_and_custom_values(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _define(world, "person", "tier", "select", options=["Gold", "Silver"])
    _define(world, "person", "renewal", "money")
    response = as_user(world.bob).post(
        "/people/new/",
        {
            "last_name": "Lee",
            "email": "lee@work.test",
            "email_type": "work",
            "more_emails": "home: lee@home.test\nlee@other.test",
            "phone": "22 33 44 55",
            "billing_country": "NO",
            "tags": "VIP, golf",
            "cf_tier": "Gold",
            "cf_renewal": "1200.5 EUR",
            "messaging_consent": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    with tenant_guard_off():
        [lee] = Person.objects.all()
    assert lee.more_emails == [
        {"value": "lee@home.test", "type": "home"},
        {"value": "lee@other.test", "type": "other"},
    ]
    assert (lee.phone, lee.messaging_consent) == ("+4722334455", True)
    assert lee.custom == {"tier": "Gold", "renewal": {"amount": "1200.50", "currency": "EUR"}}
    assert tag_names(lee) == ["golf", "VIP"]
    detail = as_user(world.dave).get(f"/people/{lee.pk}/").content.decode()
    assert "lee@home.test" in detail and "1200.50 EUR" in detail and ">VIP<" in detail
    edit = as_user(world.alice).get(f"/people/{lee.pk}/edit/").content.decode()
    assert "home: lee@home.test" in edit and 'value="1200.50 EUR"' in edit


def test_it_ties_errors_to_their_fields(world: World, as_user: Callable[[User], Client]) -> None:
    _define(world, "person", "renewal", "money")
    response = as_user(world.bob).post(
        "/people/new/",
        {"last_name": "Lee", "more_emails": "not-an-address", "cf_renewal": "12 euros"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"more_emails"}
    response = as_user(world.bob).post(
        "/people/new/", {"last_name": "Lee", "phone": "12", "cf_renewal": "12 euros"}
    )
    assert set(response.context["form"].errors) == {"phone"}
    response = as_user(world.bob).post(
        "/people/new/", {"last_name": "Lee", "cf_renewal": "12 euros"}
    )
    assert set(response.context["form"].errors) == {"cf_renewal"}
    html = response.content.decode()
    assert 'id="id_cf_renewal"' in html
    with tenant_guard_off():
        assert Person.objects.count() == 0


def test_it_offers_sensitive_custom_fields_only_to_roles_that_may_reveal(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _define(world, "person", "passport", "sensitive")
    assert 'name="cf_passport"' not in as_user(world.bob).get("/people/new/").content.decode()
    assert 'name="cf_passport"' in as_user(world.erin).get("/people/new/").content.decode()


def test_it_edits_company_size_stage_and_tags(
    world: World, as_user: Callable[[User], Client]
) -> None:
    co = helpers.company(world)
    data = helpers.form_data(co, size="51-200", lifecycle_stage="prospect", tags="Partner")
    response = as_user(world.alice).post(f"/companies/{co.pk}/edit/", data)
    assert response.status_code == 302
    stored = helpers.reload(co)
    assert (stored.size, stored.lifecycle_stage, tag_names(stored)) == (
        "51-200",
        "prospect",
        ["Partner"],
    )
    listed = as_user(world.dave).get("/companies/?stage=prospect&tag=partner")
    assert [c.name for c in listed.context["page"].items] == ["Initech"]
    assert as_user(world.dave).get("/companies/?stage=lead").context["page"].items == []


def test_lists_keep_a_fixed_number_of_queries_with_tags_and_custom_columns(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    _define(world, "person", "tier", "select", options=["Gold"])
    for n in range(12):
        helpers.person(world, last_name=f"P{n}", tags=["VIP"], custom={"tier": "Gold"})
    client = as_user(world.dave)
    url = "/people/?tag=VIP&cf_tier=Gold&cols=cf_tier"
    client.get(url)
    # As the plain list (15): the tag filter and custom filter add no query, the
    # column choices reuse the definitions read once.
    with django_assert_num_queries(13):
        response = client.get(url)
    assert len(response.context["page"].items) == 12
    assert response.content.decode().count(">Gold</td>") == 12
