"""Bearer-token authentication of every API operation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core import services as core_services
from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Company
from tests.api.conftest import Api, body, token_for
from tests.conftest import World

UNAUTHENTICATED = {
    "error": {"code": "unauthenticated", "message": "Send a valid bearer token.", "fields": {}}
}


@pytest.fixture
def company(world: World) -> Company:
    return customers.create_company(world.member(world.alice), {"name": "Initech"})


def _assert_401(api: Api, company: Company) -> None:
    for method, path, payload in [
        ("GET", "/companies", None),
        ("POST", "/companies", {"name": "Hooli"}),
        ("GET", f"/companies/{company.pk}", None),
        ("PATCH", f"/companies/{company.pk}", {"name": "Changed"}),
        ("DELETE", f"/companies/{company.pk}", None),
        ("GET", "/people", None),
        ("POST", "/people", {"last_name": "Doe"}),
    ]:
        headers = (
            {"If-Match": f'"company-{company.pk}-v1"'} if method in ("PATCH", "DELETE") else {}
        )
        response = api.request(method, path, payload, headers)
        assert response.status_code == 401, (method, path)
        assert body(response) == UNAUTHENTICATED
        assert response["WWW-Authenticate"] == "Bearer"
    assert Company.objects.filter(workspace=company.workspace).count() == 1
    company.refresh_from_db()
    assert (company.name, company.version, company.deleted_at) == ("Initech", 1, None)


def test_it_requires_a_token(world: World, company: Company) -> None:
    _assert_401(Api(None), company)


def test_it_rejects_an_unknown_token(world: World, company: Company) -> None:
    _assert_401(Api("amity_" + "x" * 43), company)
    _assert_401(Api("not-even-our-prefix"), company)


def test_it_rejects_a_revoked_token(world: World, company: Company) -> None:
    member = world.member(world.alice)
    token, raw = core_services.create_token(member, "laptop")
    assert Api(raw).get("/companies").status_code == 200
    core_services.revoke_token(member, token)
    _assert_401(Api(raw), company)


def test_it_rejects_the_token_of_a_deactivated_member(world: World, company: Company) -> None:
    raw = token_for(world, world.carol)
    assert Api(raw).get("/companies").status_code == 200
    core_services.deactivate_member(world.member(world.alice), world.member(world.carol))
    _assert_401(Api(raw), company)


def test_it_rejects_the_token_of_a_deactivated_user(world: World, company: Company) -> None:
    raw = token_for(world, world.carol)
    User.objects.filter(pk=world.carol.pk).update(is_active=False)
    _assert_401(Api(raw), company)


def test_it_ignores_a_session_cookie(
    world: World, company: Company, as_user: Callable[[User], Client]
) -> None:
    """A logged-in browser is not an API client: no token, no access (and no CSRF hole)."""
    _assert_401(Api(None, as_user(world.alice)), company)


def test_it_accepts_other_schemes_only_as_missing(world: World, company: Company) -> None:
    raw = token_for(world, world.alice)
    response = Api(None).get("/companies", {"Authorization": f"Basic {raw}"})
    assert response.status_code == 401
    response = Api(None).get("/companies", {"Authorization": f"bearer {raw}"})
    assert response.status_code == 200


def test_a_token_acts_in_its_own_workspace_only(world: World, company: Company) -> None:
    mallory = Api(token_for(world, world.mallory))
    response = mallory.get("/companies")
    assert response.status_code == 200
    assert body(response)["items"] == []
    assert mallory.get(f"/companies/{company.pk}").status_code == 404
