"""Every API error answers {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from amity.core.models import User
from amity.customers import selectors
from amity.customers.models import Company
from tests.api.conftest import Api, body, token_for
from tests.conftest import World


def shape(response: Any) -> tuple[int, str]:
    data = body(response)
    assert set(data) == {"error"}
    assert set(data["error"]) == {"code", "message", "fields"}
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.status_code, data["error"]["code"]


@pytest.mark.parametrize("token", [True, False])
def test_an_unknown_path_is_a_json_404(
    world: World, token: bool, api_as: Callable[[User], Api]
) -> None:
    api = api_as(world.alice) if token else Api(None)
    for method in ("GET", "POST", "DELETE"):
        assert shape(api.request(method, "/no/such/thing")) == (404, "not_found")


def test_a_body_that_is_not_json(world: World, api_as: Callable[[User], Api]) -> None:
    alice = api_as(world.alice)
    assert shape(alice.post("/companies", "{oops")) == (400, "bad_request")
    assert shape(alice.post("/companies", "[1, 2]")) == (422, "invalid")
    response = alice.client.post(
        "/api/v1/companies",
        "<company><name>X</name></company>",
        content_type="application/xml",
        headers={"Authorization": f"Bearer {alice.token}"},
    )
    assert shape(response) == (415, "unsupported_media_type")
    response = alice.client.post(
        "/api/v1/companies",
        '{"name": "Initech"}',
        content_type="application/vnd.amity+json",
        headers={"Authorization": f"Bearer {alice.token}"},
    )
    assert response.status_code == 201
    assert Company.objects.filter(workspace=world.acme).count() == 1


def test_a_validation_error_names_the_fields(world: World, api_as: Callable[[User], Api]) -> None:
    response = api_as(world.alice).post("/companies", {"name": "", "website": 3, "is_staff": 1})
    assert shape(response) == (422, "invalid")
    assert body(response)["error"]["fields"] == {
        "name": ["String should have at least 1 character"],
        "website": ["Input should be a valid string"],
        "is_staff": ["This field cannot be set."],
    }


def test_a_database_outage_is_a_503(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "companies", down)
    response = Api(token_for(world, world.alice)).get("/companies")
    assert shape(response) == (503, "unavailable")
    assert response["Retry-After"] == "5"


def test_a_bug_is_a_json_500_without_details(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("secret internals")

    monkeypatch.setattr(selectors, "people", broken)
    api = Api(token_for(world, world.alice), Client(raise_request_exception=False))
    response = api.get("/people")
    assert shape(response) == (500, "server_error")
    assert b"secret internals" not in response.content


def test_the_test_client_still_sees_the_bug(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "people", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        Api(token_for(world, world.alice)).get("/people")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/companies", "GET, POST"),
        ("DELETE", "/people", "GET, POST"),
        ("POST", "/companies/1", "DELETE, GET, PATCH"),
        ("PUT", "/people/1", "DELETE, GET, PATCH"),
        ("GET", "/people/1/reveal", "POST"),
        ("DELETE", "/companies/1/restore", "POST"),
    ],
)
def test_another_method_is_a_json_405(
    world: World, method: str, path: str, allow: str, api_as: Callable[[User], Api]
) -> None:
    for api in (api_as(world.alice), Api(None)):
        response = api.request(method, path, {"name": "x"})
        assert shape(response) == (405, "method_not_allowed")
        assert response["Allow"] == allow
    assert not Company.objects.filter(workspace=world.acme).exists()
