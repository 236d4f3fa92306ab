"""People on a deal with their roles: add, change and remove on the deal page and through
the API, each audited, with If-Match on the API's changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from amity.core.models import AuditEvent, User
from amity.customers import services as customers
from amity.sales.models import DealPerson
from tests.api.conftest import Api, api_as, body, error_code
from tests.conftest import World, tenant_guard_off
from tests.sales.helpers import deal

__all__ = ["api_as"]


def _person(world: World, name: str = "Lee", **data: Any) -> Any:
    return customers.create_person(world.member(world.alice), {"last_name": name, **data})


def _people_events(world: World) -> list[Any]:
    with tenant_guard_off():
        return [
            e.changes["people"]
            for e in AuditEvent.objects.filter(object_type="deal", action="update").order_by("id")
            if "people" in e.changes
        ]


def test_the_deal_page_adds_changes_and_removes_people(
    world: World, as_user: Callable[[User], Client], django_assert_max_num_queries: Any
) -> None:
    company = customers.create_company(world.member(world.alice), {"name": "Initech"})
    ann = _person(world, "Ann", company=company.pk)
    found = deal(world, company=company.pk)
    client = as_user(world.bob)
    page = client.get(found.get_absolute_url()).content.decode()
    assert 'list="deal-roles"' in page and f'<option value="{ann.pk}">' in page
    response = client.post(
        f"/deals/{found.pk}/people/", {"person": ann.pk, "role": "decision maker"}
    )
    assert response.status_code == 302
    with tenant_guard_off():
        link = DealPerson.objects.get()
    assert (link.person_id, link.role, link.version) == (ann.pk, "decision maker", 1)
    again = client.post(f"/deals/{found.pk}/people/", {"person": ann.pk, "role": "user"})
    assert again.status_code == 302
    with tenant_guard_off():
        assert DealPerson.objects.count() == 1
    client.post(f"/deals/people/{link.pk}/", {"role": "Budget holder", "version": 1})
    client.post(f"/deals/people/{link.pk}/", {"role": "stale", "version": 1})
    with tenant_guard_off():
        link.refresh_from_db()
    assert (link.role, link.version) == ("Budget holder", 2)
    for n in range(5):
        other = _person(world, f"P{n}", company=company.pk)
        client.post(f"/deals/{found.pk}/people/", {"person": other.pk, "role": "influencer"})
    with django_assert_max_num_queries(40):
        page = client.get(found.get_absolute_url()).content.decode()
    assert "Budget holder" in page
    client.post(f"/deals/people/{link.pk}/remove/", {"version": 2})
    with tenant_guard_off():
        assert not DealPerson.objects.filter(pk=link.pk).exists()
    assert _people_events(world)[:3] == [
        [None, f"{ann.pk}:decision maker"],
        [f"{ann.pk}:decision maker", f"{ann.pk}:Budget holder"],
        [None, f"{_last_person_id(world, 'P0')}:influencer"],
    ]
    assert _people_events(world)[-1] == [f"{ann.pk}:Budget holder", None]


def _last_person_id(world: World, name: str) -> int:
    from amity.customers.models import Person

    with tenant_guard_off():
        return Person.objects.get(last_name=name).pk


def test_only_those_who_may_edit_the_deal_change_its_people(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _person(world)
    bobs = deal(world, owner=world.bob)
    assert (
        as_user(world.sam).post(f"/deals/{bobs.pk}/people/", {"person": ann.pk}).status_code == 403
    )
    assert (
        as_user(world.carol).post(f"/deals/{bobs.pk}/people/", {"person": ann.pk}).status_code
        == 403
    )
    page = as_user(world.sam).get(bobs.get_absolute_url()).content.decode()
    assert "Add a person" not in page
    with tenant_guard_off():
        assert not DealPerson.objects.exists()


def test_the_api_lists_adds_updates_and_removes_people(
    world: World, api_as: Callable[[User], Api]
) -> None:
    ann, ben = _person(world, "Ann"), _person(world, "Ben")
    found = deal(world)
    api = api_as(world.bob)
    added = api.post(f"/deals/{found.pk}/people", {"person": ann.pk, "role": "champion"})
    assert added.status_code == 201
    link = body(added)
    assert (link["person"], link["role"], link["version"]) == (ann.pk, "champion", 1)
    assert api.post(f"/deals/{found.pk}/people", {"person": ann.pk}).status_code == 422
    with tenant_guard_off():
        mallorys = customers.create_person(
            world.member(world.mallory, world.globex), {"last_name": "M"}
        )
    assert api.post(f"/deals/{found.pk}/people", {"person": mallorys.pk}).status_code == 422
    assert (
        api.post(f"/deals/{found.pk}/people", {"person": ben.pk, "role": "x" * 61}).status_code
        == 422
    )
    listed = body(api.get(f"/deals/{found.pk}/people"))
    assert [(p["person"], p["role"]) for p in listed] == [(ann.pk, "champion")]
    path = f"/deal-people/{link['id']}"
    assert error_code(api.patch(path, {"role": "user"})) == "precondition_required"
    assert (
        api.patch(
            path, {"role": "user"}, {"If-Match": f'"deal_person-{link["id"]}-v5"'}
        ).status_code
        == 412
    )
    changed = api.patch(path, {"role": "user"}, {"If-Match": added["ETag"]})
    assert changed.status_code == 200 and body(changed)["role"] == "user"
    assert api.delete(path, {"If-Match": added["ETag"]}).status_code == 412
    assert api.delete(path, {"If-Match": changed["ETag"]}).status_code == 204
    assert body(api.get(f"/deals/{found.pk}/people")) == []
    assert api_as(world.mallory).get(f"/deals/{found.pk}/people").status_code == 404
