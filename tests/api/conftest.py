"""API clients acting as the fixture world's members through bearer tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from amity.core import services as core_services
from amity.core.models import User
from tests.conftest import World

PREFIX = "/api/v1"


class Api:
    """A JSON client for /api/v1 sending one bearer token."""

    def __init__(self, token: str | None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        if self.token:
            headers = {"Authorization": f"Bearer {self.token}", **headers}
        return headers

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        data = "" if body is None else body if isinstance(body, str | bytes) else json.dumps(body)
        response: HttpResponse = self.client.generic(
            method,
            PREFIX + path,
            data=data,
            content_type="application/json",
            headers=self._headers(headers or {}),
        )
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.request("POST", path, body, headers)

    def patch(self, path: str, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.request("PATCH", path, body, headers)

    def delete(self, path: str, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.request("DELETE", path, headers=headers)


def token_for(world: World, user: User) -> str:
    workspace = world.globex if user == world.mallory else world.acme
    _, raw = core_services.create_token(world.member(user, workspace), "tests")
    return raw


@pytest.fixture
def api_as(world: World) -> Callable[[User], Api]:
    """Return an API client acting as the user (mallory acts in globex)."""

    def _as(user: User) -> Api:
        return Api(token_for(world, user))

    return _as


def body(response: HttpResponse) -> Any:
    return json.loads(response.content)


def error_code(response: HttpResponse) -> str:
    code: str = body(response)["error"]["code"]
    return code
