"""The leads API: create (assigned, idempotent, allow-listed) and convert with If-Match."""

from __future__ import annotations

from collections.abc import Callable

from amity.core.models import User
from amity.sales.models import Deal, Lead
from tests.api.conftest import Api, api_as, body, error_code
from tests.conftest import World, tenant_guard_off

__all__ = ["api_as"]  # the fixture, shared with tests/api


def test_it_creates_an_assigned_lead_once(world: World, api_as: Callable[[User], Api]) -> None:
    api = api_as(world.erin)
    payload = {"last_name": "Lee", "company_name": "Initech", "country": "no"}
    first = api.post("/leads", payload, {"Idempotency-Key": "lead-1"})
    again = api.post("/leads", payload, {"Idempotency-Key": "lead-1"})
    assert first.status_code == 201 and first.content == again.content
    data = body(first)
    assert (data["owner"], data["source"], data["status"]) == (world.bob.pk, "api", "new")
    with tenant_guard_off():
        assert Lead.objects.count() == 1
        assert Lead.objects.get().country == "NO"


def test_it_refuses_fields_off_the_allow_list(world: World, api_as: Callable[[User], Api]) -> None:
    for extra in ({"status": "converted"}, {"version": 3}, {"deal": 1}):
        response = api_as(world.bob).post("/leads", {"last_name": "Lee", **extra})
        assert response.status_code == 422, extra
    assert api_as(world.carol).post("/leads", {"last_name": "Lee"}).status_code == 403
    with tenant_guard_off():
        assert Lead.objects.count() == 0


def test_it_converts_with_if_match(world: World, api_as: Callable[[User], Api]) -> None:
    api = api_as(world.bob)
    lead = body(api.post("/leads", {"last_name": "Lee", "owner": world.bob.pk}))
    path = f"/leads/{lead['id']}/convert"
    assert error_code(api.post(path, None)) == "precondition_required"
    assert api.post(path, None, {"If-Match": f'"lead-{lead["id"]}-v9"'}).status_code == 412
    response = api.post(path, None, {"If-Match": f'"lead-{lead["id"]}-v1"'})
    assert response.status_code == 200
    data = body(response)
    with tenant_guard_off():
        deal = Deal.objects.get()
    assert (data["status"], data["deal"], data["company"], deal.name) == (
        "converted",
        deal.pk,
        None,
        "Lee",
    )
